import type { SendOutcome } from './delivery.types';

/** Answers after which a retry cannot succeed (the spec's list). */
export const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 413, 422]);

/**
 * POSTs a JSON body and classifies the answer the way every relay transport does: 2xx
 * delivered; 400/401/403/404/413/422 permanent; anything else (5xx, 408, 429 with its
 * Retry-After, network errors, timeouts) transient. Never throws. Every reason starts with the
 * receiver's name, so a log line says whose side failed.
 */
export async function postForDelivery(
  url: URL | string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  receiver = 'receiver',
): Promise<SendOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text().catch(() => '');
    if (response.ok) return { kind: 'delivered' };
    const reason = `${receiver} answered ${response.status}: ${text.slice(0, 500)}`;
    if (PERMANENT_STATUSES.has(response.status)) {
      return { kind: 'permanent', reason, status: response.status };
    }
    return {
      kind: 'transient',
      reason,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      return {
        kind: 'transient',
        reason: `${receiver} did not answer: timeout after ${timeoutMs} ms`,
      };
    }
    // fetch only says "fetch failed"; the cause names the address and the code
    // (connect ECONNREFUSED 10.0.0.7:8080), which tells an operator whose port it was.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.message
      ? cause.code && !cause.message.includes(cause.code)
        ? `${cause.message} (${cause.code})`
        : cause.message
      : String(error);
    return { kind: 'transient', reason: `${receiver} unreachable: ${detail}` };
  }
}

export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
