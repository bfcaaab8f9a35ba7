import { request } from '@app/testing/http-client';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { verified, type EventBody } from './webhooks-receiver';
import { operator, WebhookTestStack, type Endpoint } from './webhooks-stack';

const DEVICE = 'hooked-device';

describe('Webhooks: registry, signed deliveries with retries, a delivery log', () => {
  let hooks: WebhookTestStack;

  beforeAll(async () => {
    hooks = await WebhookTestStack.start('webhooks', DEVICE);
  });

  afterAll(async () => {
    await hooks?.close();
  });

  it('registers an endpoint, shows its generated secret once and never again', async () => {
    const created = await hooks.register({
      url: `${hooks.base}/registry`,
      events: ['metric.submitted'],
    });
    assert.match(created.secret ?? '', /^whsec_[A-Za-z0-9+/]+=*$/);
    const one = await request<Endpoint>('GET', `${hooks.api}/webhooks/${created.id}`, {
      headers: operator,
    });
    assert.equal(one.status, 200);
    assert.equal(one.body.secret, undefined);
    assert.equal(one.body.url, `${hooks.base}/registry`);
    const all = await request<Endpoint[]>('GET', `${hooks.api}/webhooks`, { headers: operator });
    assert.ok(all.body.some((e) => e.id === created.id && e.secret === undefined));
    const patched = await request<Endpoint>('PATCH', `${hooks.api}/webhooks/${created.id}`, {
      headers: operator,
      body: { events: ['*'], enabled: false },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual([patched.body.events, patched.body.enabled], [['*'], false]);
    // A change is checked by the create body's rules.
    const refused = await request<{ details?: { field: string }[] }>(
      'PATCH',
      `${hooks.api}/webhooks/${created.id}`,
      { headers: operator, body: { events: ['device.exploded'] } },
    );
    assert.equal(refused.status, 400);
    assert.ok(refused.body.details?.some((d) => d.field.startsWith('events')));
    const gone = await request('DELETE', `${hooks.api}/webhooks/${created.id}`, {
      headers: operator,
    });
    assert.equal(gone.status, 204);
    const after = await request('GET', `${hooks.api}/webhooks/${created.id}`, {
      headers: operator,
    });
    assert.equal(after.status, 404);
  });

  it.each([
    [{ url: 'not a url', events: ['metric.submitted'] }, 'url'],
    [{ url: 'ftp://example.com/hook', events: ['metric.submitted'] }, 'url'],
    [{ url: 'https://user:pw@example.com/hook', events: ['metric.submitted'] }, 'url'],
    [{ url: 'https://example.com/hook', events: ['metric.exploded'] }, 'events'],
    [{ url: 'https://example.com/hook', events: [] }, 'events'],
    [{ url: 'https://example.com/hook', events: ['*'], secret: 'hunter2' }, 'secret'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const response = await request<{ details?: { field: string }[] }>(
      'POST',
      `${hooks.api}/webhooks`,
      { headers: operator, body },
    );
    assert.equal(response.status, 400);
    assert.ok(
      response.body.details?.some((d) => d.field.startsWith(field)),
      JSON.stringify(response.body),
    );
  });

  it('delivers one signed event per batch, retrying a failing receiver under one webhook-id', async () => {
    const endpoint = await hooks.register({
      url: `${hooks.base}/flaky`,
      events: ['metric.submitted'],
    });
    let failures = 3;
    hooks.receiver.answer = (r, res) => {
      if (r.path === '/flaky' && failures-- > 0) res.writeHead(503).end('busy, try later');
      else res.end('thanks');
    };
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    assert.equal(await hooks.postMetrics(ids.map((id, i) => ({ id, cpu_usage: i }))), 201);

    const log = await waitFor(
      async () => {
        const rows = await hooks.deliveries(endpoint.id);
        return rows.some((d) => d.outcome === 'delivered') && rows;
      },
      { message: 'a delivered attempt after three failures' },
    );
    const got = hooks.receiver.at('/flaky');
    assert.equal(got.length, 4);
    assert.equal(new Set(got.map((r) => r.headers['webhook-id'])).size, 1);
    const event: EventBody = verified(endpoint.secret!, got[3]);
    assert.equal(event.type, 'metric.submitted');
    const records = event.data.records as { id: string; cpu_usage: number }[];
    assert.deepEqual(
      records.map((r) => r.id),
      ids,
    );
    assert.equal(event.data.deviceid, DEVICE);
    assert.deepEqual(log.map((d) => [d.attempt, d.status_code, d.outcome]).reverse(), [
      [1, 503, 'failed'],
      [2, 503, 'failed'],
      [3, 503, 'failed'],
      [4, 200, 'delivered'],
    ]);
    assert.equal(log[3].response, 'busy, try later');
    assert.equal(log[0].event_id, got[0].headers['webhook-id']);
    const metrics = await hooks.metrics();
    assert.match(metrics, lineOf('webhook_deliveries_total', endpoint.id, 'outcome="failed"', 3));
    assert.match(
      metrics,
      lineOf('webhook_deliveries_total', endpoint.id, 'outcome="delivered"', 1),
    );
    await hooks.remove(endpoint.id);
  });

  it('times out a receiver that never answers and retries it', async () => {
    const endpoint = await hooks.register({
      url: `${hooks.base}/silent`,
      events: ['metric.submitted'],
    });
    hooks.receiver.answer = (r, res) => {
      if (r.path !== '/silent') res.end('ok');
    };
    assert.equal(await hooks.postMetrics([{ cpu_usage: 1 }]), 201);
    const log = await waitFor(
      async () => {
        const rows = await hooks.deliveries(endpoint.id);
        return rows.length >= 2 && rows;
      },
      { message: 'two timed-out attempts' },
    );
    assert.ok(log.every((d) => d.outcome === 'failed' && /timeout/.test(d.error ?? '')));
    assert.ok(hooks.receiver.at('/silent').length >= 2);
    // The event waits for its next attempt: the endpoint's backlog gauge counts it.
    const metrics = await hooks.metrics();
    assert.match(metrics, lineOf('webhook_backlog', endpoint.id, 'state="pending"', 1));
    assert.match(metrics, lineOf('webhook_backlog', endpoint.id, 'state="dead"', 0));
    await hooks.remove(endpoint.id);
    assert.doesNotMatch(await hooks.metrics(), new RegExp(`endpoint="${endpoint.id}",state=`));
  });

  it('reports the backlog of a caught-up endpoint as zero rather than leaving it out', async () => {
    const endpoint = await hooks.register({
      url: `${hooks.base}/idle`,
      events: ['alert.submitted'],
    });
    const metrics = await hooks.metrics();
    assert.match(metrics, lineOf('webhook_backlog', endpoint.id, 'state="pending"', 0));
    assert.match(metrics, lineOf('webhook_backlog', endpoint.id, 'state="dead"', 0));
    await hooks.remove(endpoint.id);
  });

  it('signs with the old and the new secret after a rotation, each verifying', async () => {
    const endpoint = await hooks.register({
      url: `${hooks.base}/rotated`,
      events: ['metric.submitted'],
    });
    hooks.receiver.answer = (_r, res) => res.end('ok');
    const rotated = await request<Endpoint & { previous_secret_expires_at: string }>(
      'POST',
      `${hooks.api}/webhooks/${endpoint.id}/rotate-secret`,
      { headers: operator },
    );
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, endpoint.secret);
    assert.ok(Date.parse(rotated.body.previous_secret_expires_at) > Date.now() + 3_600_000);
    assert.equal(await hooks.postMetrics([{ cpu_usage: 5 }]), 201);
    const [got] = await waitFor(
      () => hooks.receiver.at('/rotated').length === 1 && hooks.receiver.at('/rotated'),
    );
    assert.equal(String(got.headers['webhook-signature']).split(' ').length, 2);
    assert.equal(verified(endpoint.secret!, got).type, 'metric.submitted');
    assert.equal(verified(rotated.body.secret!, got).type, 'metric.submitted');

    // A secret given by PATCH rotates too.
    const mine = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const patched = await request('PATCH', `${hooks.api}/webhooks/${endpoint.id}`, {
      headers: operator,
      body: { secret: mine },
    });
    assert.equal(patched.status, 200);
    assert.equal(await hooks.postMetrics([{ cpu_usage: 6 }]), 201);
    const second = await waitFor(() => hooks.receiver.at('/rotated')[1]);
    verified(mine, second);
    verified(rotated.body.secret!, second);
    assert.throws(() => verified(endpoint.secret!, second));
    await hooks.remove(endpoint.id);
  });
});

/** A Prometheus sample line of `metric` for one endpoint and one more label. */
function lineOf(metric: string, endpoint: string, label: string, value: number): RegExp {
  return new RegExp(`^${metric}\\{endpoint="${endpoint}",${label}\\} ${value}$`, 'm');
}
