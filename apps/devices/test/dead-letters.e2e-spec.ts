import { request } from '@app/testing/http-client';
import { TEST_OPERATOR_KEY } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const DEVICE = 'poison-device';
const operator = { 'x-api-key': TEST_OPERATOR_KEY };

interface DeadLetterView {
  id: string;
  type: string;
  record_id: string;
  attempts: number;
  reason: string;
}

describe('Permanent refusals become dead letters that an operator can replay', () => {
  let stack: Stack;
  const poisoned = new Set<string>();

  beforeAll(async () => {
    stack = await Stack.start('deadletters', { proxy: true });
    // The proxy refuses any request carrying a poisoned id, as a mentor would refuse a record
    // it cannot accept; everything else reaches the real mentor.
    stack.proxy!.rule = (_path, body) =>
      [...poisoned].some((id) => body.includes(id))
        ? {
            kind: 'respond',
            status: 422,
            body: { statusCode: 422, error: 'Unprocessable Entity', message: 'refused record' },
          }
        : { kind: 'pass' };
    await stack.registerDevice(DEVICE);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function deadLetters(query = ''): Promise<DeadLetterView[]> {
    const response = await request<DeadLetterView[]>(
      'GET',
      `${stack.api}/forwarding/dead-letters${query}`,
      {
        headers: operator,
      },
    );
    assert.equal(response.status, 200);
    return response.body;
  }

  it('dead-letters only the refused record of a batch, keeps the reason, and delivers the rest', async () => {
    const ids = Array.from({ length: 5 }, () => randomUUID());
    poisoned.add(ids[2]);
    const response = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      headers: stack.asDevice(DEVICE),
      body: ids.map((id, i) => ({ id, cpu_usage: i * 10 })),
    });
    assert.equal(response.status, 201);

    await waitFor(async () => (await deadLetters()).length === 1, { message: 'one dead letter' });
    const [dead] = await deadLetters();
    assert.equal(dead.record_id, ids[2]);
    assert.equal(dead.type, 'metrics');
    assert.match(dead.reason, /422/);
    await waitFor(async () => (await stack.mentorIds('metrics')).length === 4, {
      message: 'the four good records',
    });
    const stored = await stack.mentorIds('metrics');
    assert.deepEqual(stored, ids.filter((_, i) => i !== 2).sort());

    const backlog = await waitFor(
      async () => {
        const response = await request<{ pending: number; dead_letters: number }>(
          'GET',
          `${stack.api}/forwarding/backlog`,
          { headers: operator },
        );
        return response.body.pending === 0 ? response.body : undefined;
      },
      { message: 'an empty backlog' },
    );
    assert.equal(backlog.dead_letters, 1);
    // The mentor commits before the relay has read its answer, so poll the relay's counters.
    await waitFor(
      async () => {
        const scrape = (await request<string>('GET', `${stack.devices.url}/metrics`)).body;
        return (
          /^forward_success_total\{data_type="metrics"\} 4$/m.test(scrape) &&
          /^outbox_dead_letters\{channel="mentor"\} 1$/m.test(scrape)
        );
      },
      { message: 'four deliveries and one dead letter in the metrics' },
    );
  });

  it('replays a dead letter by id once the mentor accepts it', async () => {
    const [dead] = await deadLetters();
    poisoned.clear();
    const replay = await request<{ replayed: number }>(
      'POST',
      `${stack.api}/forwarding/dead-letters/replay`,
      {
        headers: operator,
        body: { ids: [dead.id] },
      },
    );
    assert.equal(replay.status, 202);
    assert.equal(replay.body.replayed, 1);
    await waitFor(async () => (await stack.mentorIds('metrics')).includes(dead.record_id), {
      message: 'the replayed record at the mentor',
    });
    assert.equal((await deadLetters()).length, 0);
  });

  it('replays by type, and then all that is left', async () => {
    const activity = randomUUID();
    const alert = randomUUID();
    poisoned.add(activity);
    poisoned.add(alert);
    await request('POST', `${stack.api}/devices/${DEVICE}/activities`, {
      headers: stack.asDevice(DEVICE),
      body: [{ id: activity, activity_type: 'x' }],
    });
    await request('POST', `${stack.api}/devices/${DEVICE}/alerts`, {
      headers: stack.asDevice(DEVICE),
      body: [{ id: alert, level: 'info', alert_type: 'x' }],
    });
    await waitFor(async () => (await deadLetters()).length === 2, { message: 'two dead letters' });
    assert.deepEqual(
      (await deadLetters('?type=alerts')).map((d) => d.record_id),
      [alert],
    );
    poisoned.clear();

    const byType = await request<{ replayed: number }>(
      'POST',
      `${stack.api}/forwarding/dead-letters/replay`,
      {
        headers: operator,
        body: { type: 'activities' },
      },
    );
    assert.equal(byType.body.replayed, 1);
    await waitFor(async () => (await stack.mentorIds('activities')).includes(activity), {
      message: 'the activity',
    });
    assert.deepEqual(
      (await deadLetters()).map((d) => d.record_id),
      [alert],
    );

    const all = await request<{ replayed: number }>(
      'POST',
      `${stack.api}/forwarding/dead-letters/replay`,
      {
        headers: operator,
        body: { all: true },
      },
    );
    assert.equal(all.body.replayed, 1);
    await waitFor(async () => (await stack.mentorIds('alerts')).includes(alert), {
      message: 'the alert',
    });
    assert.equal((await deadLetters()).length, 0);
  });

  it('refuses an ambiguous replay request and operator calls without a key', async () => {
    const both = await request('POST', `${stack.api}/forwarding/dead-letters/replay`, {
      headers: operator,
      body: { all: true, type: 'metrics' },
    });
    assert.equal(both.status, 400);
    const none = await request('POST', `${stack.api}/forwarding/dead-letters/replay`, {
      headers: operator,
      body: {},
    });
    assert.equal(none.status, 400);
    const badType = await request('GET', `${stack.api}/forwarding/dead-letters?type=bogus`, {
      headers: operator,
    });
    assert.equal(badType.status, 400);
    const attempts: Record<string, string>[] = [
      {},
      { 'x-api-key': 'wrong-key-wrong-key-wrong-key' },
    ];
    for (const headers of attempts) {
      const response = await request('GET', `${stack.api}/forwarding/backlog`, { headers });
      assert.equal(response.status, 401);
    }
  });
});
