import { createHmac } from 'node:crypto';
import { webhookSecretKey } from './webhook-secret';

/** The three Standard Webhooks headers of one attempt. */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs one attempt per Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` for
 * each secret, space-separated (during a rotation's grace period the receiver may hold either).
 */
export function signWebhook(
  secrets: string[],
  id: string,
  timestampSeconds: number,
  body: string,
): SignedHeaders {
  const signed = `${id}.${timestampSeconds}.${body}`;
  const signatures = secrets.map((secret) => {
    const key = webhookSecretKey(secret);
    if (!key) throw new RangeError('webhook secret is not a whsec_ secret');
    return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  });
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
