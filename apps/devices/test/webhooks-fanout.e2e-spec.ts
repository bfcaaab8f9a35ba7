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
});
