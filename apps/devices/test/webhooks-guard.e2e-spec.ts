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
        WEBHOOK_DEAD_LETTER_AFTER: '1s',
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

  it('refuses at delivery a name that resolves to loopback and logs why; dead-letters, then disables the endpoint', async () => {
    const created = await request<Endpoint>('POST', `${stack.api}/webhooks`, {
      headers: operator,
      body: { url: `http://localhost:${port}/hook`, events: ['metric.submitted'] },
    });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const postMetric = async (): Promise<void> => {
      const response = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
        headers: stack.asDevice(DEVICE),
        body: [{ cpu_usage: 3 }],
      });
      assert.equal(response.status, 201);
    };
    const deadLetters = async (): Promise<{ event_type: string; reason: string }[]> => {
      const response = await request<{ event_type: string; reason: string }[]>(
        'GET',
        `${stack.api}/webhooks/${id}/dead-letters`,
        { headers: operator },
      );
      assert.equal(response.status, 200);
      return response.body;
    };

    // Failing past WEBHOOK_DEAD_LETTER_AFTER (1 s) makes the event a dead letter.
    await postMetric();
    const [dead] = await waitFor(async () => (await deadLetters()).length === 1 && deadLetters(), {
      message: 'the event as a dead letter',
    });
    assert.equal(dead.event_type, 'metric.submitted');
    assert.match(dead.reason, /gave up after .* loopback address/);

    // Events keep failing; one that fails WEBHOOK_DISABLE_AFTER (2 s) after the first failure
    // with no success between disables the endpoint.
    const endpoint = await waitFor(
      async () => {
        const response = await request<Endpoint>('GET', `${stack.api}/webhooks/${id}`, {
          headers: operator,
        });
        if (response.body.enabled) await postMetric();
        return !response.body.enabled && response.body;
      },
      { intervalMs: 300, message: 'the endpoint disabled after failing for 2 s' },
    );
    assert.match(endpoint.disabled_reason ?? '', /no successful delivery for .* loopback address/);
    const log = await request<Delivery[]>('GET', `${stack.api}/webhooks/${id}/deliveries`, {
      headers: operator,
    });
    const refused = log.body.filter((attempt) => attempt.outcome === 'refused');
    assert.ok(refused.length >= 4);
    for (const attempt of refused) {
      assert.equal(attempt.status_code, null);
      assert.match(
        attempt.error ?? '',
        /localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
      );
    }
    // Once disabled, what was still queued is dropped, not sent.
    assert.ok(log.body.every((a) => a.outcome === 'refused' || a.outcome === 'skipped'));
    assert.equal(receiver.received.length, 0);

    const replay = await request<{ replayed: number }>(
      'POST',
      `${stack.api}/webhooks/${id}/dead-letters/replay`,
      { headers: operator },
    );
    assert.equal(replay.status, 202);
    assert.ok(replay.body.replayed >= 1);
    // Replayed to a disabled endpoint, they are dropped rather than sent.
    await waitFor(async () => (await deadLetters()).length === 0, {
      message: 'no dead letter left',
    });
    assert.equal(receiver.received.length, 0);
  });
});
