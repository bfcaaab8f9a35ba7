import { request } from '@app/testing/http-client';
import { pngImage } from '@app/testing/images';
import { TEST_OPERATOR_KEY, TEST_SERVICE_TOKEN } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { verified, WebhookReceiver, type EventBody } from './webhooks-receiver';

const operator = { 'x-api-key': TEST_OPERATOR_KEY };
const DEVICE = 'hooked-device';

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret?: string;
}

interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  error: string | null;
  response: string | null;
}

describe('Webhooks: signed deliveries with retries and a delivery log', () => {
  let stack: Stack;
  const receiver = new WebhookReceiver();
  let base: string;

  beforeAll(async () => {
    base = `http://127.0.0.1:${await receiver.listen()}`;
    stack = await Stack.start('webhooks', {
      mentor: false,
      devicesEnv: {
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_TIMEOUT: '1s',
        WEBHOOK_RETRY_BASE: '100ms',
      },
    });
    await stack.registerDevice(DEVICE);
  });

  afterAll(async () => {
    await stack?.close();
    await receiver.close();
  });

  async function register(body: Record<string, unknown>): Promise<Endpoint> {
    const response = await request<Endpoint>('POST', `${stack.api}/webhooks`, {
      headers: operator,
      body,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body;
  }

  async function deliveries(id: string): Promise<Delivery[]> {
    const response = await request<Delivery[]>('GET', `${stack.api}/webhooks/${id}/deliveries`, {
      headers: operator,
    });
    assert.equal(response.status, 200);
    return response.body;
  }

  async function postMetrics(records: Record<string, unknown>[]): Promise<number> {
    const response = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      headers: stack.asDevice(DEVICE),
      body: records,
    });
    return response.status;
  }

  async function eventCount(): Promise<number> {
    const { rows } = await stack.devicesDb.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM webhook_events',
    );
    return rows[0].n;
  }

  it('registers an endpoint, shows its generated secret once and never again', async () => {
    const created = await register({ url: `${base}/registry`, events: ['metric.submitted'] });
    assert.match(created.secret ?? '', /^whsec_[A-Za-z0-9+/]+=*$/);
    const one = await request<Endpoint>('GET', `${stack.api}/webhooks/${created.id}`, {
      headers: operator,
    });
    assert.equal(one.status, 200);
    assert.equal(one.body.secret, undefined);
    assert.equal(one.body.url, `${base}/registry`);
    const all = await request<Endpoint[]>('GET', `${stack.api}/webhooks`, { headers: operator });
    assert.ok(all.body.some((e) => e.id === created.id && e.secret === undefined));
    const patched = await request<Endpoint>('PATCH', `${stack.api}/webhooks/${created.id}`, {
      headers: operator,
      body: { events: ['*'], enabled: false },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual([patched.body.events, patched.body.enabled], [['*'], false]);
    const gone = await request('DELETE', `${stack.api}/webhooks/${created.id}`, {
      headers: operator,
    });
    assert.equal(gone.status, 204);
    const after = await request('GET', `${stack.api}/webhooks/${created.id}`, {
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
      `${stack.api}/webhooks`,
      { headers: operator, body },
    );
    assert.equal(response.status, 400);
    assert.ok(
      response.body.details?.some((d) => d.field.startsWith(field)),
      JSON.stringify(response.body),
    );
  });

  it('delivers one signed event per batch, retrying a failing receiver under one webhook-id', async () => {
    const endpoint = await register({ url: `${base}/flaky`, events: ['metric.submitted'] });
    let failures = 3;
    receiver.answer = (r, res) => {
      if (r.path === '/flaky' && failures-- > 0) res.writeHead(503).end('busy, try later');
      else res.end('thanks');
    };
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    assert.equal(await postMetrics(ids.map((id, i) => ({ id, cpu_usage: i }))), 201);

    const log = await waitFor(
      async () => {
        const rows = await deliveries(endpoint.id);
        return rows.some((d) => d.outcome === 'delivered') && rows;
      },
      { message: 'a delivered attempt after three failures' },
    );
    const got = receiver.at('/flaky');
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
    await request('DELETE', `${stack.api}/webhooks/${endpoint.id}`, { headers: operator });
  });

  it('times out a receiver that never answers and retries it', async () => {
    const endpoint = await register({ url: `${base}/silent`, events: ['metric.submitted'] });
    receiver.answer = (r, res) => {
      if (r.path !== '/silent') res.end('ok');
    };
    assert.equal(await postMetrics([{ cpu_usage: 1 }]), 201);
    const log = await waitFor(
      async () => {
        const rows = await deliveries(endpoint.id);
        return rows.length >= 2 && rows;
      },
      { message: 'two timed-out attempts' },
    );
    assert.ok(log.every((d) => d.outcome === 'failed' && /timeout/.test(d.error ?? '')));
    assert.ok(receiver.at('/silent').length >= 2);
    await request('DELETE', `${stack.api}/webhooks/${endpoint.id}`, { headers: operator });
  });

  it('signs with the old and the new secret after a rotation, each verifying', async () => {
    const endpoint = await register({ url: `${base}/rotated`, events: ['metric.submitted'] });
    receiver.answer = (_r, res) => res.end('ok');
    const rotated = await request<Endpoint & { previous_secret_expires_at: string }>(
      'POST',
      `${stack.api}/webhooks/${endpoint.id}/rotate-secret`,
      { headers: operator },
    );
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, endpoint.secret);
    assert.ok(Date.parse(rotated.body.previous_secret_expires_at) > Date.now() + 3_600_000);
    assert.equal(await postMetrics([{ cpu_usage: 5 }]), 201);
    const [got] = await waitFor(
      () => receiver.at('/rotated').length === 1 && receiver.at('/rotated'),
    );
    assert.equal(String(got.headers['webhook-signature']).split(' ').length, 2);
    assert.equal(verified(endpoint.secret!, got).type, 'metric.submitted');
    assert.equal(verified(rotated.body.secret!, got).type, 'metric.submitted');

    // A secret given by PATCH rotates too.
    const mine = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const patched = await request('PATCH', `${stack.api}/webhooks/${endpoint.id}`, {
      headers: operator,
      body: { secret: mine },
    });
    assert.equal(patched.status, 200);
    assert.equal(await postMetrics([{ cpu_usage: 6 }]), 201);
    const second = await waitFor(() => receiver.at('/rotated')[1]);
    verified(mine, second);
    verified(rotated.body.secret!, second);
    assert.throws(() => verified(endpoint.secret!, second));
    await request('DELETE', `${stack.api}/webhooks/${endpoint.id}`, { headers: operator });
  });

  it('writes no event for a refused batch, a repeated batch, or a type nobody subscribes to', async () => {
    const endpoint = await register({ url: `${base}/strict`, events: ['metric.submitted'] });
    receiver.answer = (_r, res) => res.end('ok');
    const id = randomUUID();
    assert.equal(await postMetrics([{ id, cpu_usage: 1 }]), 201);
    await waitFor(() => receiver.at('/strict').length === 1);
    const before = await eventCount();
    // One bad record refuses the whole batch: nothing stored, so nothing announced.
    assert.equal(await postMetrics([{ cpu_usage: 2 }, { cpu_usage: 'lots' }]), 400);
    // The same record again is a duplicate: stored once, announced once.
    assert.equal(await postMetrics([{ id, cpu_usage: 1 }]), 201);
    const activity = await request('POST', `${stack.api}/devices/${DEVICE}/activities`, {
      headers: stack.asDevice(DEVICE),
      body: [{ activity_type: 'login' }],
    });
    assert.equal(activity.status, 201);
    assert.equal(await eventCount(), before);
    assert.equal(receiver.at('/strict').length, 1);
    await request('DELETE', `${stack.api}/webhooks/${endpoint.id}`, { headers: operator });
  });

  it('announces registrations and process snapshots, sends test events and redelivers', async () => {
    const endpoint = await register({ url: `${base}/everything`, events: ['*'] });
    receiver.answer = (_r, res) => res.end('ok');
    await stack.registerDevice('hooked-second');
    const processes = await request('POST', `${stack.api}/devices/hooked-second/processes`, {
      headers: stack.asDevice('hooked-second'),
      body: [{ pid: 1, process_name: 'init' }],
    });
    assert.equal(processes.status, 201);
    const test = await request<{ event_id: string }>(
      'POST',
      `${stack.api}/webhooks/${endpoint.id}/test`,
      { headers: operator },
    );
    assert.equal(test.status, 202);
    const types = (): string[] =>
      receiver.at('/everything').map((r) => verified(endpoint.secret!, r).type);
    await waitFor(() => types().length === 3, { message: 'three events' });
    assert.deepEqual(types().sort(), ['device.registered', 'process.submitted', 'webhook.test']);

    const log = await deliveries(endpoint.id);
    const registered = log.find((d) => d.event_type === 'device.registered')!;
    const again = await request<{ event_id: string }>(
      'POST',
      `${stack.api}/webhooks/${endpoint.id}/deliveries/${registered.id}/redeliver`,
      { headers: operator },
    );
    assert.equal(again.status, 202);
    assert.equal(again.body.event_id, registered.event_id);
    await waitFor(() => receiver.at('/everything').length === 4);
    const last = receiver.at('/everything')[3];
    assert.equal(last.headers['webhook-id'], registered.event_id);
    assert.equal(verified(endpoint.secret!, last).type, 'device.registered');
    const unknown = await request(
      'POST',
      `${stack.api}/webhooks/${endpoint.id}/deliveries/999999/redeliver`,
      { headers: operator },
    );
    assert.equal(unknown.status, 404);
  });

  it('announces activities, alerts, screenshots and completed commands to their subscribers', async () => {
    const endpoint = await register({
      url: `${base}/devices-events`,
      events: [
        'activity.submitted',
        'alert.submitted',
        'screenshot.submitted',
        'command.completed',
      ],
    });
    receiver.answer = (_r, res) => res.end('ok');
    const asDevice = stack.asDevice(DEVICE);
    const activity = await request('POST', `${stack.api}/devices/${DEVICE}/activities`, {
      headers: asDevice,
      body: [{ activity_type: 'login' }],
    });
    const alert = await request('POST', `${stack.api}/devices/${DEVICE}/alerts`, {
      headers: asDevice,
      body: [{ level: 'warning', alert_type: 'disk' }],
    });
    const form = new FormData();
    form.append('file', new Blob([pngImage(4, 3)], { type: 'image/png' }), 'screen.png');
    const shot = await fetch(`${stack.api}/devices/${DEVICE}/screenshots`, {
      method: 'POST',
      body: form,
      headers: asDevice,
    });
    const commandid = randomUUID();
    const handOff = await request('POST', `${stack.api}/internal/commands`, {
      headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` },
      body: {
        commandid,
        deviceid: DEVICE,
        command_text: 'get_info',
        issued_by: 'webhooks-test',
        created_at: new Date().toISOString(),
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    // The device takes the command (pending -> delivered) before it reports the result.
    const pending = await request('GET', `${stack.api}/devices/${DEVICE}/commands/pending`, {
      headers: asDevice,
    });
    assert.equal(pending.status, 200);
    const result = await request(
      'POST',
      `${stack.api}/devices/${DEVICE}/commands/${commandid}/result`,
      { headers: asDevice, body: { status: 'completed', result: 'all good', exit_code: 0 } },
    );
    assert.deepEqual(
      [activity.status, alert.status, shot.status, handOff.status, result.status],
      [201, 201, 201, 200, 200],
    );
    const events = (): EventBody[] =>
      receiver.at('/devices-events').map((r) => verified(endpoint.secret!, r));
    await waitFor(() => events().length === 4, { message: 'four events' });
    const byType = new Map(events().map((e) => [e.type, e.data]));
    assert.equal((byType.get('activity.submitted')!.records as unknown[]).length, 1);
    assert.equal((byType.get('alert.submitted')!.records as unknown[]).length, 1);
    assert.equal(byType.get('screenshot.submitted')!.content_type, 'image/png');
    assert.deepEqual(
      [byType.get('command.completed')!.commandid, byType.get('command.completed')!.result],
      [commandid, 'all good'],
    );
  });
});
