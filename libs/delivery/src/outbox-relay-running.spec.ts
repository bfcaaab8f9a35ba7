import assert from 'node:assert/strict';
import type { ChannelOptions, SendOutcome, SqlExecutor } from './delivery.types';
import { OutboxRelay } from './outbox-relay';
import {
  ids,
  openOutboxTestDatabase,
  waitFor,
  type OutboxTestDatabase,
} from './testing/outbox-test-database';
import { quietLogger as quiet } from './testing/outcomes';
import { ScriptedTransport } from './testing/scripted-transport';

describe('OutboxRelay while running', () => {
  let db: OutboxTestDatabase;
  const running: OutboxRelay[] = [];

  beforeAll(async () => {
    db = await openOutboxTestDatabase('delivery_running');
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => r.stop()));
    await db?.close();
  });

  function startRelay(options: ChannelOptions, executor: SqlExecutor = db.executor): OutboxRelay {
    const relay = new OutboxRelay(executor, options, quiet);
    running.push(relay);
    relay.start();
    return relay;
  }

  async function countOf(channel: string, where = 'true'): Promise<number> {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE channel = $1 AND ${where}`,
      [channel],
    );
    return rows[0].n;
  }

  it('delivers right after a kick without waiting for the poll interval', async () => {
    const transport = new ScriptedTransport();
    // The poll comes every 10 minutes and each wait below gives up after 30 s: only the kicks
    // can deliver in time.
    const relay = startRelay({ channel: 'kick', transport, pollIntervalMs: 600_000 });
    await db.enqueue('kick', 'metrics', ['k-1']);
    relay.kick();
    await waitFor(async () => (await countOf('kick')) === 0, {
      timeoutMs: 30_000,
      message: 'the first delivery',
    });

    await db.enqueue('kick', 'metrics', ids('k-next', 3));
    for (let i = 0; i < 50; i++) relay.kick();
    await waitFor(async () => (await countOf('kick')) === 0, {
      timeoutMs: 30_000,
      message: 'the kicked delivery',
    });
    assert.deepEqual(transport.sentRecordIds().sort(), ['k-1', 'k-next-1', 'k-next-2', 'k-next-3']);
  });

  it('never sends the same row twice while two relays share a channel', async () => {
    const randomDelay = async (): Promise<SendOutcome> => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      return { kind: 'delivered' };
    };
    const first = new ScriptedTransport(randomDelay);
    const second = new ScriptedTransport(randomDelay);
    const shared = { channel: 'pair', batchSize: 50, concurrency: 3, pollIntervalMs: 20 };
    for (const topic of ['metrics', 'alerts', 'processes']) {
      await db.enqueue('pair', topic, ids(topic, 1000));
    }
    const a = startRelay({ ...shared, transport: first });
    const b = startRelay({ ...shared, transport: second });
    a.kick();
    b.kick();

    await waitFor(async () => (await countOf('pair')) === 0, {
      timeoutMs: 20_000,
      message: 'the shared backlog',
    });
    const sent = [...first.sentRecordIds(), ...second.sentRecordIds()];
    assert.equal(sent.length, 3000);
    assert.equal(new Set(sent).size, 3000);
    assert.ok(first.sends.length > 0 && second.sends.length > 0, 'both relays took part');
  });

  it('stop() waits for the send in flight and releases the claims this relay holds', async () => {
    const pending: ((outcome: SendOutcome) => void)[] = [];
    const transport = new ScriptedTransport(
      () => new Promise<SendOutcome>((resolve) => pending.push(resolve)),
    );
    const relay = startRelay({ channel: 'stop', transport });
    await db.enqueue('stop', 'metrics', ids('s', 2));
    relay.kick();
    // Both workers may claim at the same moment and split the rows between them.
    await waitFor(() => transport.sentRecordIds().length === 2, {
      timeoutMs: 30_000,
      message: 'the sends to start',
    });
    const inFlight = transport.sends.length;

    // A claim whose outcome this relay never got to record, e.g. after a database blip.
    await db.pool.query(
      `INSERT INTO outbox (channel, topic, record_id, payload, claimed_by, claimed_until)
       VALUES ('stop', 'metrics', 'orphan', '{}', $1, now() + interval '1 hour')`,
      [relay.instanceId],
    );

    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    await db.pool.query('SELECT 1');
    assert.equal(stopped, false, 'stop() waits for the request in flight');
    for (const release of pending) release({ kind: 'delivered' });
    await stopping;

    const { rows } = await db.pool.query(
      `SELECT record_id, claimed_until FROM outbox WHERE channel = 'stop'`,
    );
    assert.deepEqual(rows, [{ record_id: 'orphan', claimed_until: null }]);
    relay.kick();
    assert.equal(transport.sends.length, inFlight, 'a stopped relay sends nothing more');
  });

  it('resumes a backlog as soon as a probe finds the receiver answering, long before its huge backoff ends', async () => {
    let up = false;
    const transport = new ScriptedTransport(() =>
      up ? { kind: 'delivered' } : { kind: 'transient', reason: 'connect ECONNREFUSED' },
    );
    startRelay({
      channel: 'probe',
      transport,
      batchSize: 5,
      quickRetries: 0,
      quickRetryBaseMs: 600_000,
      maxBackoffMs: 3_600_000,
      probeIntervalMs: 300,
      pollIntervalMs: 50,
    }).kick();
    await db.enqueue('probe', 'metrics', ids('p', 20));

    await waitFor(
      async () =>
        (await countOf('probe', `attempts >= 1 AND next_attempt_at > now() + interval '4 min'`)) ===
        20,
      { timeoutMs: 30_000, message: 'every row to wait in a long backoff' },
    );
    up = true;
    // The rows' own retries are over 4 minutes away: draining sooner is the probe's doing.
    await waitFor(async () => (await countOf('probe')) === 0, {
      timeoutMs: 60_000,
      message: 'the backlog to drain well before its retries are due',
    });
  });

  it('with probeScope topic, resumes only the recovered topic and leaves the other in backoff', async () => {
    let up = false;
    const transport = new ScriptedTransport((topic) =>
      up && topic === 'back' ? { kind: 'delivered' } : { kind: 'transient', reason: 'HTTP 503' },
    );
    startRelay({
      channel: 'scoped',
      transport,
      batchSize: 5,
      quickRetries: 0,
      quickRetryBaseMs: 600_000,
      maxBackoffMs: 3_600_000,
      probeIntervalMs: 200,
      pollIntervalMs: 50,
      probeScope: 'topic',
    }).kick();
    await db.enqueue('scoped', 'down', ids('d', 5));
    await db.enqueue('scoped', 'back', ids('b', 5));
    const waiting = (topic: string): Promise<number> =>
      countOf('scoped', `topic = '${topic}' AND next_attempt_at > now() + interval '4 min'`);
    await waitFor(async () => (await waiting('down')) + (await waiting('back')) === 10, {
      timeoutMs: 30_000,
      message: 'every row to wait in a long backoff',
    });
    const mark = transport.sends.length;
    up = true;
    await waitFor(async () => (await countOf('scoped', `topic = 'back'`)) === 0, {
      timeoutMs: 60_000,
      message: 'the recovered topic to drain',
    });
    // Only canaries, one row each, went to the topic still down: its backlog was not resumed.
    const down = transport.sends.slice(mark).filter((send) => send.topic === 'down');
    assert.ok(down.every((send) => send.messages.length === 1));
    assert.equal(await waiting('down'), 5);
  });

  it('keeps delivering after the database and the transport fail', async () => {
    let failQueries = 2;
    const flaky: SqlExecutor = {
      query: (text, values) => {
        if (failQueries > 0) {
          failQueries -= 1;
          return Promise.reject(new Error('connection terminated unexpectedly'));
        }
        return db.executor.query(text, values);
      },
    };
    let throws = 1;
    const transport = new ScriptedTransport(() => {
      if (throws-- > 0) throw new Error('socket hang up');
      return { kind: 'delivered' };
    });
    const relay = startRelay(
      { channel: 'flaky', transport, quickRetryBaseMs: 20, pollIntervalMs: 20, concurrency: 1 },
      flaky,
    );
    await db.enqueue('flaky', 'alerts', ['f-1']);
    relay.kick();
    await waitFor(async () => (await countOf('flaky')) === 0, {
      timeoutMs: 30_000,
      message: 'delivery after failures',
    });
    assert.deepEqual(transport.sentRecordIds(), ['f-1', 'f-1']);
    const stats = await relay.stats();
    assert.match(stats.lastError ?? '', /transport threw: socket hang up/);
  });
});
