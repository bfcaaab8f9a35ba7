import { randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';

/** A fresh secret in the Standard Webhooks format: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * The key bytes of a `whsec_<base64>` secret, or undefined when it is not one (24 to 64 bytes,
 * as the scheme recommends).
 */
export function webhookSecretKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(PREFIX)) return undefined;
  const encoded = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 24 && key.length <= 64 ? key : undefined;
}
