/**
 * Retry schedule of the relay, as pure functions so the arithmetic is tested without a database.
 *
 * Attempts 1..quickRetries follow the reference's quick schedule (base, 2*base, 4*base: 1 s, 2 s,
 * 4 s by default). Later attempts use exponential backoff with "equal jitter" (half fixed, half
 * random) capped at maxBackoffMs: the fixed half keeps a struggling receiver from being hammered,
 * the random half spreads replicas and rows so they do not retry in lockstep.
 */

export interface BackoffPolicy {
  quickRetries: number;
  quickRetryBaseMs: number;
  maxBackoffMs: number;
}

/** base * 2^(attempt-1), capped; attempt counts from 1. */
export function exponentialDelayMs(attempt: number, baseMs: number, capMs: number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2^1100 is Infinity, which Math.min turns into the cap, so huge attempt counts are safe.
  return Math.min(capMs, baseMs * 2 ** exponent);
}

/** Equal jitter: a value in [ceiling/2, ceiling]. `random` returns [0, 1) like Math.random. */
export function equalJitterMs(ceilingMs: number, random: () => number = Math.random): number {
  const half = ceilingMs / 2;
  return Math.round(half + random() * half);
}

/**
 * Delay before the next attempt after `attempt` failed transiently. A receiver's Retry-After is
 * honoured when it asks for longer, but never beyond maxBackoffMs: the recovery probe must stay
 * the only thing that decides how soon a long wait ends.
 */
export function retryDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const scheduled =
    attempt <= policy.quickRetries
      ? exponentialDelayMs(attempt, policy.quickRetryBaseMs, policy.maxBackoffMs)
      : equalJitterMs(
          exponentialDelayMs(attempt, policy.quickRetryBaseMs, policy.maxBackoffMs),
          random,
        );
  const requested = Math.min(Math.max(0, retryAfterMs ?? 0), policy.maxBackoffMs);
  return Math.max(scheduled, requested);
}
