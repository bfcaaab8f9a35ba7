import { createHash, hash, randomBytes } from 'node:crypto';

/** Bytes of randomness in every bearer credential we issue (256 bits). */
export const TOKEN_BYTES = 32;

/** A fresh opaque credential: 32 random bytes, base64url (43 characters). */
export function generateToken(bytes = TOKEN_BYTES): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * What we store instead of an issued token: its SHA-256. A token carries 256 bits of
 * randomness, so a fast hash is enough (no salt or work factor needed, unlike passwords), and
 * the lookup by hash is an index probe. The database never holds a usable credential.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** hashToken as hex, in one call: what per-request lookups key their caches by. */
export function hashTokenHex(token: string): string {
  return hash('sha256', token, 'hex');
}
