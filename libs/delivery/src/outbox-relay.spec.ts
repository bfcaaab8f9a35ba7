import assert from 'node:assert/strict';
import type { ChannelOptions, SendOutcome } from './delivery.types';
import { OutboxRelay } from './outbox-relay';
import {
  ids,
  openOutboxTestDatabase,
  waitFor,
  type OutboxTestDatabase,
} from './testing/outbox-test-database';
import { quietLogger as quiet, refused, unavailable } from './testing/outcomes';
import { ScriptedTransport } from './testing/scripted-transport';

describe('OutboxRelay against PostgreSQL', () => {
  let db: OutboxTestDatabase;

  beforeAll(async () => {
    db = await openOutboxTestDatabase('delivery_relay');
  });
  afterAll(async () => {
    await db?.close();
  });

  const relayFor = (options: ChannelOptions): OutboxRelay =>
    new OutboxRelay(db.executor, options, quiet);

  async function rowsOf(channel: string) {
    const { rows } = await db.pool.query<{
      record_id: string;
      status: string;
      attempts: number;
      solo: boolean;
      dead_reason: string | null;
      delay_ms: number;
    }>(
      `SELECT record_id, status, attempts, solo, dead_reason,
         (extract(epoch FROM next_attempt_at - last_attempt_at) * 1000)::float8 AS delay_ms
       FROM outbox WHERE channel = $1 ORDER BY id`,
      [channel],
    );
    return rows;
  }

  async function makeDue(channel: string): Promise<void> {
    await db.pool.query(`UPDATE outbox SET next_attempt_at = now() WHERE channel = $1`, [channel]);
  }

  it('delivers rows in one request per topic, deletes them and reports them to onDelivered', async () => {
    const transport = new ScriptedTransport();
    const delivered: [string, number][] = [];
    const relay = relayFor({
      channel: 'deliver',
      transport,
      hooks: { onDelivered: (topic, count) => delivered.push([topic, count]) },
    });
    await db.enqueue('deliver', 'metrics', ids('m', 3));
    await db.enqueue('deliver', 'alerts', ids('a', 2));

    assert.equal(await relay.drainOnce(), 5);

    assert.deepEqual(
      transport.sends.map((s) => [s.topic, s.messages.map((m) => m.recordId)]).sort(),
      [
        ['alerts', ['a-1', 'a-2']],
        ['metrics', ['m-1', 'm-2', 'm-3']],
      ],
    );
    const first = transport.sends.find((s) => s.topic === 'metrics')?.messages[0];
    assert.equal(first?.attempts, 1);
    assert.deepEqual(first?.payload, { id: 'm-1', note: `it's "quoted" \\ and {braced}` });
    assert.deepEqual(await rowsOf('deliver'), []);
    assert.deepEqual(delivered.sort(), [
      ['alerts', 2],
      ['metrics', 3],
    ]);
    assert.equal(await relay.drainOnce(), 0);
  });

  it('deletes the messages a transport reports as delivered and retries only the rest', async () => {
    const delivered: number[] = [];
    const transport = new ScriptedTransport((_topic, messages) => ({
      kind: 'transient',
      reason: '503 for one of them',
      delivered: messages.filter((m) => m.recordId !== 'p-2').map((m) => m.id),
    }));
    const relay = relayFor({
      channel: 'partial',
      transport,
      hooks: { onDelivered: (_topic, count) => delivered.push(count) },
    });
    await db.enqueue('partial', 'hooks', ids('p', 4));

    assert.equal(await relay.drainOnce(), 4);
    assert.equal(transport.sends.length, 1, 'one request for the four');
    const left = await rowsOf('partial');
    assert.deepEqual(
      left.map((r) => [r.record_id, r.status, r.attempts]),
      [['p-2', 'pending', 1]],
    );
    assert.ok(left[0].delay_ms >= 1000, 'the failed one waits in backoff');
    assert.deepEqual(delivered, [3]);
  });

  it('retries a transient failure after 1 s, 2 s and 4 s, then with capped jittered backoff', async () => {
    const failures: number[] = [];
    const transport = new ScriptedTransport(() => unavailable);
    const relay = relayFor({
      channel: 'backoff',
      transport,
      maxBackoffMs: 20_000,
      hooks: { onFailed: (_topic, count) => failures.push(count) },
    });
    await db.enqueue('backoff', 'metrics', ['b-1']);

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 7; attempt++) {
      assert.equal(await relay.drainOnce(), 1, `attempt ${attempt} claims the row`);
      const [row] = await rowsOf('backoff');
      assert.equal(row.attempts, attempt);
      assert.equal(row.status, 'pending');
      delays.push(row.delay_ms);
      assert.equal(await relay.drainOnce(), 0, 'a row in backoff is not claimed');
      await makeDue('backoff');
    }

    // Measured from the claim to the scheduled retry, so a little send time may be added.
    const within = (delay: number, low: number, high: number): boolean =>
      delay >= low && delay <= high + 500;
    const expected: [number, number][] = [
      [1000, 1000],
      [2000, 2000],
      [4000, 4000],
      [4000, 8000],
      [8000, 16_000],
      [10_000, 20_000],
      [10_000, 20_000],
    ];
    expected.forEach(([low, high], i) =>
      assert.ok(
        within(delays[i], low, high),
        `attempt ${i + 1}: ${delays[i]} ms not in [${low}, ${high}]`,
      ),
    );
    assert.deepEqual(failures, [1, 1, 1, 1, 1, 1, 1]);
    const stats = await relay.stats();
    assert.equal(stats.lastError, '503 unavailable');
  });

  it('waits as long as the receiver asks with Retry-After when that is longer', async () => {
    const transport = new ScriptedTransport(() => ({
      kind: 'transient',
      reason: '429 slow down',
      retryAfterMs: 7000,
    }));
    const relay = relayFor({ channel: 'retry-after', transport });
    await db.enqueue('retry-after', 'metrics', ['r-1']);
    await relay.drainOnce();
    const [row] = await rowsOf('retry-after');
    assert.ok(row.delay_ms >= 7000 && row.delay_ms < 7500, `${row.delay_ms}`);
  });

  it('dead-letters a row still failing after deadLetterAfterMs, with its reason', async () => {
    const dead: [string, number, string][] = [];
    const transport = new ScriptedTransport(() => unavailable);
    const relay = relayFor({
      channel: 'expire',
      transport,
      deadLetterAfterMs: 300,
      hooks: { onDeadLettered: (topic, count, reason) => dead.push([topic, count, reason]) },
    });
    await db.enqueue('expire', 'alerts', ['e-1']);
    await relay.drainOnce();
    assert.equal((await rowsOf('expire'))[0].status, 'pending', 'young rows are retried');

    await waitFor(
      async () =>
        (
          await db.pool.query(
            `SELECT 1 FROM outbox WHERE channel = 'expire' AND now() - retry_since >= interval '300 ms'`,
          )
        ).rowCount === 1,
      { timeoutMs: 30_000, message: 'the row to outgrow deadLetterAfterMs' },
    );
    await makeDue('expire');
    await relay.drainOnce();

    const [row] = await rowsOf('expire');
    assert.equal(row.status, 'dead');
    assert.match(row.dead_reason ?? '', /gave up after .*503 unavailable/);
    assert.equal(dead.length, 1);
    assert.equal(dead[0][0], 'alerts');
    assert.equal(dead[0][1], 1);
  });

  it('dead-letters only the refused record of a batch of 5 and delivers the other 4', async () => {
    const transport = new ScriptedTransport((_topic, messages) =>
      messages.some((m) => m.recordId === 'p-3') ? refused() : { kind: 'delivered' },
    );
    const relay = relayFor({ channel: 'poison', transport });
    await db.enqueue('poison', 'activities', ids('p', 5));
    await db.enqueue('poison', 'metrics', ids('ok', 2));

    assert.equal(await relay.drainOnce(), 7);
    const afterSplit = await rowsOf('poison');
    assert.deepEqual(
      afterSplit.map((r) => [r.record_id, r.status, r.solo, r.attempts]),
      ids('p', 5).map((id) => [id, 'pending', true, 0]),
      'the other topic is delivered at once; the refused batch is split, not killed',
    );

    assert.equal(await relay.drainOnce(), 5);
    const sizes = transport.sends
      .filter((s) => s.topic === 'activities')
      .map((s) => s.messages.length);
    assert.deepEqual(sizes, [5, 1, 1, 1, 1, 1]);
    assert.deepEqual(
      (await rowsOf('poison')).map((r) => [r.record_id, r.status, r.dead_reason]),
      [['p-3', 'dead', '422 invalid record']],
    );
  });

  it('replays dead letters by id, by topic and all, and delivers them again', async () => {
    let accept = false;
    const transport = new ScriptedTransport(() =>
      accept ? { kind: 'delivered' } : refused('404'),
    );
    const relay = relayFor({ channel: 'replay', transport });
    await db.enqueue('replay', 'alerts', ['x-1']);
    await db.enqueue('replay', 'alerts', ['x-2']);
    await db.enqueue('replay', 'screens', ['y-1']);
    while ((await relay.drainOnce()) > 0);

    const dead = await relay.listDeadLetters({ limit: 10 });
    assert.deepEqual(
      dead.map((d) => [d.recordId, d.topic, d.reason]),
      [
        ['y-1', 'screens', '404'],
        ['x-2', 'alerts', '404'],
        ['x-1', 'alerts', '404'],
      ],
    );
    const page = await relay.listDeadLetters({ limit: 2, beforeId: dead[0].id });
    assert.deepEqual(
      page.map((d) => d.recordId),
      ['x-2', 'x-1'],
    );
    const screens = await relay.listDeadLetters({ limit: 10, topic: 'screens' });
    assert.deepEqual(
      screens.map((d) => d.recordId),
      ['y-1'],
    );
    await assert.rejects(relay.replay({}), RangeError);

    accept = true;
    assert.equal(await relay.replay({ ids: [dead[2].id] }), 1);
    assert.equal(await relay.drainOnce(), 1);
    assert.equal(await relay.replay({ topic: 'screens' }), 1);
    assert.equal(await relay.drainOnce(), 1);
    assert.equal(await relay.replay({ all: true }), 1);
    assert.equal(await relay.drainOnce(), 1);
    assert.equal(await relay.replay({ all: true }), 0);

    const replayed = transport.sends.slice(-3).map((s) => s.messages.map((m) => m.recordId));
    assert.deepEqual(replayed, [['x-1'], ['y-1'], ['x-2']]);
    assert.deepEqual(await rowsOf('replay'), []);
  });

  it('reports pending count, oldest pending age, dead letters, last success and last error', async () => {
    let outcome: SendOutcome = { kind: 'delivered' };
    const relay = relayFor({ channel: 'stats', transport: new ScriptedTransport(() => outcome) });
    const empty = await relay.stats();
    assert.deepEqual(empty, {
      channel: 'stats',
      pending: 0,
      oldestPendingAgeSeconds: null,
      deadLetters: 0,
      lastSuccessAt: null,
      lastErrorAt: null,
      lastError: null,
    });

    await db.enqueue('stats', 'metrics', ['s-0']);
    await relay.drainOnce();
    outcome = refused('400 bad shape');
    await db.enqueue('stats', 'metrics', ['s-1']);
    await relay.drainOnce();
    await db.enqueue('stats', 'metrics', ids('later', 3));
    await db.pool.query(
      `UPDATE outbox SET created_at = now() - interval '100 s' WHERE record_id = 'later-1'`,
    );

    const stats = await relay.stats();
    assert.equal(stats.pending, 3);
    assert.equal(stats.deadLetters, 1);
    assert.ok(stats.oldestPendingAgeSeconds !== null);
    assert.ok(stats.oldestPendingAgeSeconds >= 100 && stats.oldestPendingAgeSeconds < 110);
    assert.ok(stats.lastSuccessAt instanceof Date);
    assert.ok(stats.lastErrorAt instanceof Date);
    assert.equal(stats.lastError, '400 bad shape');
  });
});
