import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { verified } from './webhooks-receiver';
import { WebhookTestStack } from './webhooks-stack';

const DEVICE = 'fanout-device';

describe('Webhooks: one event fanned out to every subscribed endpoint', () => {
  let hooks: WebhookTestStack;

  beforeAll(async () => {
    hooks = await WebhookTestStack.start('webhooks_fanout', DEVICE);
  });

  afterAll(async () => {
    await hooks?.close();
  });

  /** The webhook outbox rows of an event, as (topic, status) pairs. */
  async function queued(eventId: string): Promise<{ topic: string; status: string }[]> {
    const { rows } = await hooks.stack.devicesDb.query<{ topic: string; status: string }>(
      `SELECT topic, status FROM outbox WHERE channel = 'webhooks' AND record_id = $1`,
      [eventId],
    );
    return rows;
  }

  it('sends the good receiver an event once and the failing one after it recovers, under one webhook-id', async () => {
    const good = await hooks.register({ url: `${hooks.base}/good`, events: ['metric.submitted'] });
    const bad = await hooks.register({ url: `${hooks.base}/bad`, events: ['metric.submitted'] });
    let recovered = false;
    hooks.receiver.answer = (r, res) => {
      if (r.path === '/bad' && !recovered) res.writeHead(503).end('down');
      else res.end('ok');
    };
    assert.equal(await hooks.postMetrics([{ id: randomUUID(), cpu_usage: 7 }]), 201);

    await waitFor(() => hooks.receiver.at('/good').length === 1, { message: 'the good receiver' });
    const eventId = String(hooks.receiver.at('/good')[0].headers['webhook-id']);
    // The failed endpoint's retry now has a row of its own; the good one has none.
    await waitFor(
      async () => {
        const rows = await queued(eventId);
        return (
          rows.length === 1 && rows[0].topic === bad.id && hooks.receiver.at('/bad').length >= 2
        );
      },
      { message: 'the bad receiver retried from a row of its own' },
    );
    recovered = true;
    await waitFor(
      async () => (await hooks.deliveries(bad.id)).some((d) => d.outcome === 'delivered'),
      { message: 'the recovered receiver gets the event' },
    );
    await waitFor(async () => (await queued(eventId)).length === 0, {
      message: 'nothing left queued',
    });

    assert.equal(hooks.receiver.at('/good').length, 1);
    const badGot = hooks.receiver.at('/bad');
    assert.deepEqual(new Set(badGot.map((r) => r.headers['webhook-id'])), new Set([eventId]));
    assert.equal(verified(bad.secret!, badGot.at(-1)!).type, 'metric.submitted');
    assert.equal(verified(good.secret!, hooks.receiver.at('/good')[0]).type, 'metric.submitted');
    const badLog = (await hooks.deliveries(bad.id)).reverse();
    assert.deepEqual(
      badLog.map((d) => [d.event_id, d.attempt, d.outcome]),
      badGot.map((_r, i) => [eventId, i + 1, i === badGot.length - 1 ? 'delivered' : 'failed']),
    );
    const goodLog = await hooks.deliveries(good.id);
    assert.deepEqual(
      goodLog.map((d) => [d.event_id, d.attempt, d.outcome]),
      [[eventId, 1, 'delivered']],
    );
    await hooks.remove(good.id);
    await hooks.remove(bad.id);
  });

  it('does not send an event to an endpoint registered after it was written', async () => {
    const endpoints = [];
    for (const path of ['/a', '/b', '/c']) {
      endpoints.push(await hooks.register({ url: `${hooks.base}${path}`, events: ['*'] }));
    }
    let open = false;
    hooks.receiver.answer = (_r, res) => {
      if (open) res.end('ok');
      else res.writeHead(503).end('not yet');
    };
    assert.equal(await hooks.postMetrics([{ id: randomUUID(), cpu_usage: 1 }]), 201);
    await waitFor(() => ['/a', '/b', '/c'].every((path) => hooks.receiver.at(path).length >= 1), {
      message: 'a first attempt to all three receivers',
    });
    const late = await hooks.register({ url: `${hooks.base}/late`, events: ['*'] });
    open = true;
    await waitFor(
      async () =>
        (await hooks.stack.devicesDb.query(`SELECT 1 FROM outbox WHERE channel = 'webhooks'`)).rows
          .length === 0,
      { message: 'the event delivered to the three' },
    );
    for (const endpoint of endpoints) {
      const log = await hooks.deliveries(endpoint.id);
      assert.equal(log[0].outcome, 'delivered');
    }
    assert.equal(hooks.receiver.at('/late').length, 0);
    assert.deepEqual(await hooks.deliveries(late.id), []);
    for (const endpoint of [...endpoints, late]) await hooks.remove(endpoint.id);
  });

  it('gives each request written in one group commit its own event, and retries only the pairs that failed', async () => {
    const good = await hooks.register({ url: `${hooks.base}/g`, events: ['metric.submitted'] });
    const flaky = await hooks.register({ url: `${hooks.base}/f`, events: ['metric.submitted'] });
    const seen = new Set<string>();
    // The flaky receiver fails the first attempt of each event with an odd cpu_usage.
    hooks.receiver.answer = (r, res) => {
      if (r.path !== '/f') return res.end('ok');
      const id = String(r.headers['webhook-id']);
      const [record] = verified(flaky.secret!, r).data.records as { cpu_usage: number }[];
      if (record.cpu_usage % 2 && !seen.has(id)) {
        seen.add(id);
        res.writeHead(503).end('once');
      } else res.end('ok');
    };
    const before = await hooks.stack.devicesDb.query<{ id: string }>(
      'SELECT id FROM webhook_events',
    );
    const records = Array.from({ length: 8 }, (_, i) => ({ id: randomUUID(), cpu_usage: i }));
    // Hold the first write on a lock so the other seven queue behind it and go in one group.
    const lock = await hooks.stack.devicesDb.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE webhook_events IN EXCLUSIVE MODE');
      const posts = [hooks.postMetrics([records[0]])];
      await waitFor(
        async () =>
          (
            await hooks.stack.devicesDb.query(
              `SELECT 1 FROM pg_locks
               WHERE relation = 'webhook_events'::regclass AND NOT granted`,
            )
          ).rows.length === 1,
        { message: 'the first write waiting on the lock' },
      );
      for (const record of records.slice(1)) posts.push(hooks.postMetrics([record]));
      await waitFor(
        async () => /ingest_queued_requests\{data_type="metrics"\} 7\n/.test(await hooks.metrics()),
        { message: 'seven requests queued behind the first write' },
      );
      await lock.query('COMMIT');
      assert.deepEqual(await Promise.all(posts), Array<number>(8).fill(201));
    } finally {
      lock.release();
    }

    const groups = await hooks.stack.devicesDb.query<{ events: number }>(
      `SELECT cardinality(devices) AS events FROM webhook_events
       WHERE NOT id = ANY($1::text[]) ORDER BY created_at`,
      [before.rows.map((r) => r.id)],
    );
    assert.deepEqual(
      groups.rows.map((r) => r.events),
      [1, 7],
    );
    await waitFor(
      async () =>
        hooks.receiver.at('/g').length === 8 &&
        (await hooks.deliveries(flaky.id)).filter((d) => d.outcome === 'delivered').length === 8,
      { message: 'all eight events at both receivers' },
    );
    await waitFor(
      async () =>
        (await hooks.stack.devicesDb.query(`SELECT 1 FROM outbox WHERE channel = 'webhooks'`)).rows
          .length === 0,
      { message: 'nothing left queued' },
    );
    // One event per request, carrying its record, under one webhook-id at both receivers.
    const eventOf = new Map<string, string>();
    for (const r of hooks.receiver.at('/g')) {
      const body = verified(good.secret!, r);
      assert.equal(body.type, 'metric.submitted');
      const [record] = body.data.records as { id: string }[];
      assert.equal(body.data.deviceid, DEVICE);
      eventOf.set(record.id, String(r.headers['webhook-id']));
    }
    assert.deepEqual(new Set(eventOf.keys()), new Set(records.map((r) => r.id)));
    assert.equal(new Set(eventOf.values()).size, 8);
    const flakyGot = hooks.receiver.at('/f');
    assert.equal(flakyGot.length, 12);
    for (const r of flakyGot) {
      const [record] = verified(flaky.secret!, r).data.records as { id: string }[];
      assert.equal(r.headers['webhook-id'], eventOf.get(record.id));
    }
    const log = await hooks.deliveries(flaky.id);
    assert.deepEqual(
      log
        .filter((d) => d.outcome === 'failed')
        .map((d) => d.event_id)
        .sort(),
      records
        .filter((r) => r.cpu_usage % 2)
        .map((r) => eventOf.get(r.id))
        .sort(),
    );
    assert.equal((await hooks.deliveries(good.id)).length, 8);
    await hooks.remove(good.id);
    await hooks.remove(flaky.id);
  });
});
