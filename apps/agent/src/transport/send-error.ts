/**
 * Why a request failed, as the sender acts on it:
 * - `auth`: the token was refused (revoked or replaced): enrol again;
 * - `unknown-device`: the server does not know the device: register again;
 * - `rejected`: the server refused the records themselves (they would never pass);
 * - `too-large`: the body was over the server's limit: send fewer at a time;
 * - `conflict`: a state already past (a command result): nothing to do;
 * - `retry`: the server or the network is down or busy: wait and send again.
 */
export type SendFailure =
  'auth' | 'unknown-device' | 'rejected' | 'too-large' | 'conflict' | 'retry';

export class SendError extends Error {
  constructor(
    readonly failure: SendFailure,
    message: string,
    readonly status?: number,
    /** The server's Retry-After, in ms. */
    readonly retryAfterMs = 0,
    /** Indexes of the records a 400 named (`[2].cpu_usage`). */
    readonly badIndexes: number[] = [],
  ) {
    super(message);
    this.name = 'SendError';
  }

  /** Classifies an HTTP answer that was not a 2xx. */
  static fromStatus(status: number, body: unknown, retryAfter?: string): SendError {
    const message = `HTTP ${status}: ${describe(body)}`;
    if (status === 401) return new SendError('auth', message, status);
    if (status === 404) return new SendError('unknown-device', message, status);
    if (status === 409) return new SendError('conflict', message, status);
    if (status === 413) return new SendError('too-large', message, status);
    if (status === 400 || status === 415 || status === 422) {
      return new SendError('rejected', message, status, 0, badIndexes(body));
    }
    const seconds = Number(retryAfter);
    return new SendError('retry', message, status, Number.isFinite(seconds) ? seconds * 1000 : 0);
  }
}

function describe(body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string') return message.slice(0, 300);
  if (Array.isArray(message)) return message.map(String).join('; ').slice(0, 300);
  return typeof body === 'string' ? body.slice(0, 300) : 'no body';
}

function badIndexes(body: unknown): number[] {
  const details = (body as { details?: unknown } | undefined)?.details;
  if (!Array.isArray(details)) return [];
  const found = new Set<number>();
  for (const detail of details) {
    const field = (detail as { field?: unknown } | undefined)?.field;
    const match = typeof field === 'string' ? /^\[(\d+)\]/.exec(field) : null;
    if (match) found.add(Number(match[1]));
  }
  return [...found];
}
