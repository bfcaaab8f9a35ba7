import { request } from '@app/testing/http-client';
import { TEST_OPERATOR_KEY } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const DEVICE = 'durable-device-1';
const operator = { 'x-api-key': TEST_OPERATOR_KEY };

interface Backlog {
  pending: number;
  oldest_pending_age_seconds: number | null;
  dead_letters: number;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error: string | null;
}

/** Posts `requests` batches of `size` metrics and returns every id the service acknowledged. */
async function postMetrics(stack: Stack, requests: number, size: number): Promise<string[]> {
  const acked: string[] = [];
  await Promise.all(
    Array.from({ length: requests }, async () => {
      const body = Array.from({ length: size }, () => ({
        id: randomUUID(),
        cpu_usage: Math.random() * 100,
      }));
      const response = await request<{ ids: string[] }>(
        'POST',
        `${stack.api}/devices/${DEVICE}/metrics`,
        {
          headers: stack.asDevice(DEVICE),
          body,
        },
      );
      assert.equal(response.status, 201, JSON.stringify(response.body));
      acked.push(...response.body.ids);
    }),
  );
  return acked;
}

describe('Forwarding survives a mentor outage and a Devices crash', () => {
  let stack: Stack;

  beforeAll(async () => {
    // A short request timeout keeps the crash-recovery lease short (lease = 2 x timeout + 10 s).
    stack = await Stack.start('durable', { devicesEnv: { FORWARD_TIMEOUT: '2s' } });
    await stack.registerDevice(DEVICE);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('delivers every acknowledged record exactly once after the mentor returns and Devices was SIGKILLed', async () => {
    const acked = await postMetrics(stack, 5, 20);
    await waitFor(async () => (await stack.mentorIds('metrics')).length === acked.length, {
      message: 'the first records at the mentor',
    });

    await stack.mentor!.stop();
    acked.push(...(await postMetrics(stack, 20, 25)));
    const waiting = await waitFor(
      async () => {
        const backlog = await request<Backlog>('GET', `${stack.api}/forwarding/backlog`, {
          headers: operator,
        });
        return backlog.body.pending > 0 && backlog.body.last_error ? backlog.body : undefined;
      },
      { message: 'a backlog with the failure recorded' },
    );
    assert.ok(waiting.pending > 0);
    assert.match(waiting.last_error!, /ECONNREFUSED|fetch failed|timeout/i);

    await stack.devices.kill();
    assert.equal(stack.devices.exitSignal, 'SIGKILL');
    await stack.devices.restart();
    acked.push(...(await postMetrics(stack, 4, 25)));
    await stack.mentor!.restart();

    await waitFor(async () => (await stack.pendingOutbox()) === 0, {
      timeoutMs: 40_000,
      message: 'the backlog to drain',
    });
    const stored = await stack.mentorIds('metrics');
    assert.equal(stored.length, acked.length, 'every acknowledged record is at the mentor');
    assert.deepEqual(stored, [...acked].sort());
    assert.equal(new Set(acked).size, acked.length);
    const dead = await stack.devicesDb.query(
      `SELECT count(*)::int AS n FROM outbox WHERE status = 'dead'`,
    );
    assert.equal(dead.rows[0].n, 0);
  });

  it('resumes delivery within 10 seconds of the mentor answering again, even after long backoff', async () => {
    await stack.mentor!.stop();
    const acked = await postMetrics(stack, 2, 10);
    // Let the rows exhaust their quick retries (1 s, 2 s, 4 s) and fall into longer backoff.
    await waitFor(
      async () => {
        const { rows } = await stack.devicesDb.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending' AND attempts >= 4 AND next_attempt_at > now() + interval '5 seconds'`,
        );
        return rows[0].n > 0;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: 'rows in long backoff' },
    );
    await stack.mentor!.restart();
    const back = Date.now();
    await waitFor(async () => (await stack.pendingOutbox()) === 0, {
      timeoutMs: 10_000,
      intervalMs: 100,
      message: 'the backlog to drain within 10 s',
    });
    const elapsed = Date.now() - back;
    assert.ok(elapsed < 10_000, `drained in ${elapsed} ms`);
    const stored = new Set(await stack.mentorIds('metrics'));
    for (const id of acked) assert.ok(stored.has(id), `${id} reached the mentor`);
  });
});
