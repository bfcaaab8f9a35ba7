import { request } from '@app/testing/http-client';
import { TEST_OPERATOR_KEY } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

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

describe('Standalone mode', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start('standalone', { mentor: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('stores telemetry and queues nothing when MENTOR_API_URL is not set', async () => {
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

describe('Selective forwarding', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start('selective', { devicesEnv: { FORWARD_METRICS: 'false' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps metrics local when FORWARD_METRICS=false but still forwards alerts', async () => {
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

describe('Outbox bundles', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A receiver that never answers keeps every bundle in the outbox for inspection.
    stack = await Stack.start('bundles', {
      mentor: false,
      devicesEnv: { MENTOR_API_URL: 'http://127.0.0.1:9', FORWARD_BATCH_SIZE: '3' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('queues the new records of a request as bundles of at most FORWARD_BATCH_SIZE, in order, without the repeats', async () => {
    await stack.registerDevice(DEVICE);
    const ids = Array.from({ length: 8 }, () => randomUUID());
    const post = (records: string[], requestId: string) =>
      request<{ stored: number; duplicates: number }>(
        'POST',
        `${stack.api}/devices/${DEVICE}/metrics`,
        {
          headers: { ...stack.asDevice(DEVICE), 'x-request-id': requestId },
          body: records.map((id, i) => ({ id, cpu_usage: i })),
        },
      );
    assert.equal((await post(ids.slice(0, 2), 'first')).body.stored, 2);
    const second = await post(ids, 'second');
    assert.deepEqual([second.body.stored, second.body.duplicates], [6, 2]);

    const { rows } = await stack.devicesDb.query<{
      record_id: string;
      bundle_size: number;
      request_id: string;
      ids: string[];
    }>(
      `SELECT record_id, bundle_size, request_id,
         ARRAY(SELECT e ->> 'id' FROM json_array_elements(payload) e) AS ids
       FROM outbox WHERE topic = 'metrics' ORDER BY id`,
    );
    const bundles = rows.map((r) => [r.request_id, r.bundle_size, r.ids]);
    assert.deepEqual(bundles, [
      ['first', 2, ids.slice(0, 2)],
      ['second', 1, ids.slice(2, 3)],
      ['second', 3, ids.slice(3, 6)],
      ['second', 2, ids.slice(6, 8)],
    ]);
    assert.deepEqual(
      rows.map((r) => r.record_id),
      rows.map((r) => r.ids[0]),
      'a bundle is named after its first record',
    );
    assert.equal(await stack.pendingOutbox(), 8 + 1, 'records, the device record included');
    const backlog = await request<{ pending: number }>('GET', `${stack.api}/forwarding/backlog`, {
      headers: { 'x-api-key': TEST_OPERATOR_KEY },
    });
    assert.equal(backlog.body.pending, 8 + 1);
  });
});
