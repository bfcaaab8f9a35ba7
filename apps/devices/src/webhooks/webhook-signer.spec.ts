import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, webhookSecretKey } from './webhook-secret';
import { signWebhook } from './webhook-signer';

const body = '{"type":"metric.submitted","timestamp":"2026-01-01T00:00:00.000Z","data":{}}';
const now = (): number => Math.floor(Date.now() / 1000);

describe('signWebhook', () => {
  it('signs so that the standardwebhooks verifier accepts the body', () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook([secret], 'msg_1', now(), body);
    assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
  });

  it('signs with both secrets during a rotation, each verifying on its own', () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signWebhook([current, previous], 'msg_2', now(), body);
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    for (const secret of [current, previous]) new Webhook(secret).verify(body, { ...headers });
    assert.throws(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers }));
  });

  it('is refused by the verifier when the body was changed or the timestamp is stale', () => {
    const secret = generateWebhookSecret();
    const fresh = signWebhook([secret], 'msg_3', now(), body);
    assert.throws(() => new Webhook(secret).verify(body.replace('{}', '{"x":1}'), { ...fresh }));
    const stale = signWebhook([secret], 'msg_3', now() - 600, body);
    assert.throws(() => new Webhook(secret).verify(body, { ...stale }), /too old/i);
  });

  it('refuses to sign with something that is not a whsec_ secret', () => {
    assert.throws(() => signWebhook(['plain-secret'], 'msg_4', now(), body), RangeError);
  });
});

describe('webhook secrets', () => {
  it('generates whsec_ secrets of 32 bytes and rejects short or malformed ones', () => {
    assert.equal(webhookSecretKey(generateWebhookSecret())?.length, 32);
    assert.equal(webhookSecretKey(`whsec_${Buffer.alloc(8).toString('base64')}`), undefined);
    assert.equal(webhookSecretKey('whsec_not base64!'), undefined);
    assert.equal(webhookSecretKey(Buffer.alloc(32).toString('base64')), undefined);
  });
});
