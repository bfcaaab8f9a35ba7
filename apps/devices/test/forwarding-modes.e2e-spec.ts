import { request } from '@app/testing/http-client';
import { TEST_OPERATOR_KEY } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

const DEVICE = 'mode-device';

async function postAll(stack: Stack): Promise<{ metric: string; alert: string }> {
  await stack.registerDevice(DEVICE);
  const metric = randomUUID();
  const alert = randomUUID();
  assert.equal(
    (
      await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
        headers: stack.asDevice(DEVICE),
        body: { id: metric, cpu_usage: 1 },
      })
    ).status,
    201,
  );
  assert.equal(
    (
      await request('POST', `${stack.api}/devices/${DEVICE}/alerts`, {
        headers: stack.asDevice(DEVICE),
        body: [{ id: alert, level: 'warning', alert_type: 'disk' }],
      })
    ).status,
    201,
  );
  return { metric, alert };
}

void describe('Standalone mode', () => {
  let stack: Stack;
  before(async () => {
    stack = await Stack.start('standalone', { mentor: false });
  });
  after(async () => {
    await stack?.close();
  });

  void it('stores telemetry and queues nothing when MENTOR_API_URL is not set', async () => {
    const { metric } = await postAll(stack);
    assert.deepEqual(await stack.devicesIds('metrics'), [metric]);
    const { rows } = await stack.devicesDb.query('SELECT count(*)::int AS n FROM outbox');
    assert.equal(rows[0].n, 0);
    const backlog = await request<{ enabled: boolean }>('GET', `${stack.api}/forwarding/backlog`, {
      headers: { 'x-api-key': TEST_OPERATOR_KEY },
    });
    assert.equal(backlog.body.enabled, false);
  });
});

void describe('Selective forwarding', () => {
  let stack: Stack;
  before(async () => {
    stack = await Stack.start('selective', { devicesEnv: { FORWARD_METRICS: 'false' } });
  });
  after(async () => {
    await stack?.close();
  });

  void it('keeps metrics local when FORWARD_METRICS=false but still forwards alerts', async () => {
    const { metric, alert } = await postAll(stack);
    await waitFor(async () => (await stack.mentorIds('alerts')).includes(alert), {
      message: 'the alert at the mentor',
    });
    assert.deepEqual(await stack.devicesIds('metrics'), [metric]);
    assert.deepEqual(await stack.mentorIds('metrics'), []);
    const { rows } = await stack.devicesDb.query(
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'metrics'`,
    );
    assert.equal(rows[0].n, 0);
  });
});
