import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with a known one in constant time. Hashing both first gives equal
 * lengths, so not even the length of the secret leaks through timing.
 */
export function safeEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True when `presented` matches any of the configured secrets (checks them all, no early exit). */
export function matchesAny(presented: string | undefined, expected: readonly string[]): boolean {
  if (!presented) return false;
  let ok = false;
  for (const secret of expected) ok = safeEqual(presented, secret) || ok;
  return ok;
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return match ? match[1] : undefined;
}
