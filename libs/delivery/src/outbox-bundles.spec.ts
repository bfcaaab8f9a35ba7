import assert from 'node:assert/strict';
import type { ChannelOptions } from './delivery.types';
import { recordsOf, requestIdsOf } from './outbox-bundle';
import { OutboxRelay } from './outbox-relay';
import { outboxBundlesDownSql } from './outbox-schema';
import { OutboxWriter } from './outbox-writer';
import {
  ids,
  openOutboxTestDatabase,
  waitFor,
  type OutboxTestDatabase,
} from './testing/outbox-test-database';
import { quietLogger as quiet, refused, unavailable } from './testing/outcomes';
import { ScriptedTransport } from './testing/scripted-transport';

/** Record ids of each request the transport was given, bundles opened up. */
function requestsOf(transport: ScriptedTransport): string[][] {
  return transport.sends.map((s) =>
    s.messages.flatMap(recordsOf).map((r) => (r as { id: string }).id),
  );
}

describe('Outbox bundles against PostgreSQL', () => {
  let db: OutboxTestDatabase;

  beforeAll(async () => {
    db = await openOutboxTestDatabase('delivery_bundles');
  });
  afterAll(async () => {
    await db?.close();
  });

  const relayFor = (options: ChannelOptions): OutboxRelay =>
    new OutboxRelay(db.executor, options, quiet);

  /** A relay whose receiver is always away, and the record counts it dead-letters. */
  const failingRelay = (
    channel: string,
    deadLetterAfterMs: number,
  ): { relay: OutboxRelay; dead: number[] } => {
    const dead: number[] = [];
    const relay = relayFor({
      channel,
      transport: new ScriptedTransport(() => unavailable),
      deadLetterAfterMs,
      hooks: { onDeadLettered: (_topic, count) => dead.push(count) },
    });
    return { relay, dead };
  };

  async function rowsOf(channel: string) {
    const { rows } = await db.pool.query<{
      record_id: string;
      status: string;
      solo: boolean;
      bundle_size: number | null;
      request_id: string | null;
    }>(
      `SELECT record_id, status, solo, bundle_size, request_id FROM outbox
       WHERE channel = $1 ORDER BY record_id`,
      [channel],
    );
    return rows;
  }

  it('sends a bundle and single rows of its topic in one request and counts records, not rows', async () => {
    const delivered: number[] = [];
    const transport = new ScriptedTransport();
    const relay = relayFor({
      channel: 'b-deliver',
      transport,
      hooks: { onDelivered: (_topic, count) => delivered.push(count) },
    });
    await db.enqueueBundle('b-deliver', 'metrics', ids('m', 4), 'req-a,req-b');
    await db.enqueue('b-deliver', 'metrics', ['single']);

    const stats = await relay.stats();
    assert.equal(stats.pending, 5, 'a bundle counts as the records it holds');
    assert.equal(await relay.drainOnce(), 2, 'two rows claimed');
    assert.deepEqual(requestsOf(transport), [['m-1', 'm-2', 'm-3', 'm-4', 'single']]);
    assert.deepEqual(requestIdsOf(transport.sends[0].messages[0]), ['req-a', 'req-b']);
    assert.deepEqual(delivered, [5]);
    assert.deepEqual(await rowsOf('b-deliver'), []);
  });

  it('claims rows while their records fit the batch size, and a larger bundle alone', async () => {
    const transport = new ScriptedTransport();
    const relay = relayFor({ channel: 'b-cap', transport, batchSize: 5 });
    await db.enqueueBundle('b-cap', 'metrics', ids('big', 8));
    await db.enqueueBundle('b-cap', 'metrics', ids('x', 3));
    await db.enqueueBundle('b-cap', 'metrics', ids('y', 2));
    await db.enqueueBundle('b-cap', 'metrics', ids('z', 3));

    while ((await relay.drainOnce()) > 0);

    assert.deepEqual(
      requestsOf(transport).map((r) => r.length),
      [8, 3, 5],
      'the oversized bundle alone; then one row (sized on 8 records a row), then 2 + 3',
    );
  });

  it('sizes each claim on the records per row of the round before, so it locks about what it keeps', async () => {
    const transport = new ScriptedTransport();
    const relay = relayFor({ channel: 'b-adapt', transport, batchSize: 10 });
    await db.enqueueBundle('b-adapt', 'metrics', ids('a', 5));
    await db.enqueueBundle('b-adapt', 'metrics', ids('b', 5));
    await db.enqueue('b-adapt', 'metrics', ids('plain', 10));

    const rounds: number[] = [];
    for (let claimed = await relay.drainOnce(); claimed > 0; claimed = await relay.drainOnce()) {
      rounds.push(claimed);
    }

    // 2 bundles of 5; then 10 / 5 x 1.25 = 3 rows; then back to a full batch of single rows.
    assert.deepEqual(rounds, [2, 3, 7]);
    assert.equal(transport.sentRecordIds().length, 12);
  });

  it('splits a refused bundle into one row per record, so only the bad record dies', async () => {
    const transport = new ScriptedTransport((_topic, messages) =>
      messages.flatMap(recordsOf).some((r) => (r as { id: string }).id === 'p-3')
        ? refused()
        : { kind: 'delivered' },
    );
    const relay = relayFor({ channel: 'b-poison', transport });
    await db.enqueueBundle('b-poison', 'alerts', ids('p', 4), 'req-1');

    assert.equal(await relay.drainOnce(), 1);
    assert.deepEqual(
      (await rowsOf('b-poison')).map((r) => [r.record_id, r.status, r.solo, r.bundle_size]),
      ids('p', 4).map((id) => [id, 'pending', true, null]),
    );
    assert.equal((await rowsOf('b-poison'))[0].request_id, 'req-1');

    assert.equal(await relay.drainOnce(), 4);
    const dead = await relay.listDeadLetters({ limit: 10 });
    assert.deepEqual(
      dead.map((d) => [d.recordId, d.payload]),
      [['p-3', { id: 'p-3', note: 'bundled' }]],
    );
    assert.equal(await relay.replay({ ids: [dead[0].id] }), 1);
    transport.respond = () => ({ kind: 'delivered' });
    assert.equal(await relay.drainOnce(), 1);
    assert.deepEqual(requestsOf(transport).at(-1), ['p-3']);
    assert.deepEqual(await rowsOf('b-poison'), []);
  });

  it('turns a bundle that keeps failing past deadLetterAfterMs into one dead letter per record', async () => {
    const { relay, dead } = failingRelay('b-expire', 200);
    await db.enqueueBundle('b-expire', 'metrics', ids('e', 3));
    await waitFor(
      async () =>
        (
          await db.pool.query(
            `SELECT 1 FROM outbox WHERE channel = 'b-expire' AND now() - retry_since >= interval '200 ms'`,
          )
        ).rowCount === 1,
      { timeoutMs: 30_000, message: 'the bundle to outgrow deadLetterAfterMs' },
    );
    assert.equal(await relay.drainOnce(), 1);

    assert.deepEqual(dead, [3]);
    assert.deepEqual(
      (await rowsOf('b-expire')).map((r) => [r.record_id, r.status, r.bundle_size]),
      ids('e', 3).map((id) => [id, 'dead', null]),
    );
    assert.equal((await relay.stats()).deadLetters, 3);
  });

  it('counts a row standing for several records in a payload of its own, and never splits it', async () => {
    const { relay, dead } = failingRelay('b-own', 60_000);
    // As Devices' webhook group fan-outs: an object naming its records, however many.
    await db.pool.query(
      `INSERT INTO outbox (channel, topic, record_id, payload, bundle_size, retry_since)
       VALUES ('b-own', 't', 'g_1', '{"events": 3}', 3, now() - interval '1 hour')`,
    );
    assert.equal((await relay.stats()).pending, 3);
    assert.equal(await relay.drainOnce(), 1);

    assert.deepEqual(dead, [3]);
    assert.deepEqual(
      (await rowsOf('b-own')).map((r) => [r.record_id, r.status, r.bundle_size]),
      [['g_1', 'dead', 3]],
    );
    assert.equal((await relay.stats()).deadLetters, 3);
  });

  it('refuses to write a bundle without records', async () => {
    await assert.rejects(
      new OutboxWriter().enqueue(db.executor, [
        { channel: 'b-empty', topic: 'metrics', recordId: 'none', payload: [], bundle: true },
      ]),
      /non-empty array payload/,
    );
  });

  it('reverts the migration by splitting waiting bundles into one row per record', async () => {
    await db.enqueueBundle('b-down', 'metrics', ids('d', 3), 'req-d');
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      for (const sql of outboxBundlesDownSql()) await client.query(sql);
      const { rows } = await client.query<{ record_id: string; request_id: string }>(
        `SELECT record_id, request_id FROM outbox WHERE channel = 'b-down' ORDER BY record_id`,
      );
      assert.deepEqual(
        rows.map((r) => [r.record_id, r.request_id]),
        ids('d', 3).map((id) => [id, 'req-d']),
      );
      const { rowCount } = await client.query(
        `SELECT 1 FROM information_schema.columns
         WHERE table_name = 'outbox' AND column_name = 'bundle_size'`,
      );
      assert.equal(rowCount, 0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
