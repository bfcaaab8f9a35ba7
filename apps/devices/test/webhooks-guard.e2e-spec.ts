import { request } from '@app/testing/http-client';
import { TEST_OPERATOR_KEY } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { WebhookReceiver } from './webhooks-receiver';

const operator = { 'x-api-key': TEST_OPERATOR_KEY };
const DEVICE = 'guarded-device';

interface Endpoint {
  id: string;
  enabled: boolean;
  disabled_reason: string | null;
}

interface Delivery {
  outcome: string;
  error: string | null;
  status_code: number | null;
}

describe('Webhooks: the SSRF guard when private addresses are not allowed', () => {
  let stack: Stack;
  const receiver = new WebhookReceiver();
  let port: number;

  beforeAll(async () => {
    port = await receiver.listen();
    stack = await Stack.start('webhooks_guard', {
      mentor: false,
      devicesEnv: {
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_RETRY_BASE: '100ms',
        WEBHOOK_DISABLE_AFTER: '2s',
      },
    });
    await stack.registerDevice(DEVICE);
  });

  afterAll(async () => {
    await stack?.close();
    await receiver.close();
  });

  it.each(['127.0.0.1', '[::1]', '169.254.169.254', '10.0.0.8', '[fd00:ec2::254]'])(
    'refuses to register http://%s as a webhook URL, naming the url',
    async (host) => {
      const response = await request<{ message: string; details: { field: string }[] }>(
        'POST',
        `${stack.api}/webhooks`,
        { headers: operator, body: { url: `http://${host}:${port}/`, events: ['*'] } },
      );
      assert.equal(response.status, 400);
      assert.equal(response.body.details[0].field, 'url');
      assert.match(response.body.message, /refused/);
    },
  );

  it('refuses at delivery a name that resolves to loopback, logs why, and disables the endpoint after WEBHOOK_DISABLE_AFTER', async () => {
    const created = await request<Endpoint>('POST', `${stack.api}/webhooks`, {
      headers: operator,
      body: { url: `http://localhost:${port}/hook`, events: ['metric.submitted'] },
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const metrics = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      headers: stack.asDevice(DEVICE),
      body: [{ cpu_usage: 3 }],
    });
    assert.equal(metrics.status, 201);

    const endpoint = await waitFor(
      async () => {
        const response = await request<Endpoint>('GET', `${stack.api}/webhooks/${id}`, {
          headers: operator,
        });
        return !response.body.enabled && response.body;
      },
      { message: 'the endpoint disabled after failing for 2 s' },
    );
    assert.match(endpoint.disabled_reason ?? '', /no successful delivery/);
    const log = await request<Delivery[]>('GET', `${stack.api}/webhooks/${id}/deliveries`, {
      headers: operator,
    });
    assert.ok(log.body.length >= 2);
    for (const attempt of log.body) {
      assert.equal(attempt.outcome, 'refused');
      assert.equal(attempt.status_code, null);
      assert.match(
        attempt.error ?? '',
        /localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
      );
    }
    assert.equal(receiver.received.length, 0);
  });
});
