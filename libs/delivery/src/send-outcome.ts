import type { SendOutcome } from './delivery.types';

/** Answers after which a retry cannot succeed (the spec's list). */
export const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 413, 422]);

/**
 * The one place that decides what an HTTP answer means for delivery: 2xx delivered;
 * 400/401/403/404/413/422 permanent; anything else (5xx, 408, 429 with its Retry-After)
 * transient. Every reason starts with the receiver's name, so a log line says whose side failed.
 */
export function outcomeOfAnswer(
  receiver: string,
  status: number,
  body: string,
  retryAfter: string | null | undefined,
): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  const reason = `${receiver} answered ${status}: ${body.slice(0, 500)}`;
  if (PERMANENT_STATUSES.has(status)) return { kind: 'permanent', reason, status };
  return { kind: 'transient', reason, retryAfterMs: retryAfterMs(retryAfter) };
}

/** No answer at all (refused connection, reset, timeout): always worth retrying. */
export function outcomeOfNoAnswer(
  receiver: string,
  detail: { timedOutAfterMs?: number; message: string },
): SendOutcome {
  if (detail.timedOutAfterMs !== undefined) {
    return {
      kind: 'transient',
      reason: `${receiver} did not answer: timeout after ${detail.timedOutAfterMs} ms`,
    };
  }
  return { kind: 'transient', reason: `${receiver} unreachable: ${detail.message}` };
}

export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
