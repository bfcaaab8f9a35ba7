import { request } from '@app/testing/http-client';
import { SseClient } from '@app/testing/sse-client';
import { TEST_SERVICE_TOKEN } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const WATCHED = 'watched-device';
const OTHER = 'other-device';

/** A fresh events ticket for the stack's admin. */
async function ticket(stack: Stack): Promise<string> {
  const response = await request<{ ticket: string }>('POST', `${stack.mentor!.url}/events/ticket`, {
    headers: await stack.asAdmin(),
  });
  assert.equal(response.status, 201);
  return response.body.ticket;
}

interface LiveEvent {
  type: string;
  deviceid: string;
  count: number;
  records: { id: string }[];
}

describe('Live updates over server-sent events', () => {
  let stack: Stack;
  let stream: SseClient;

  beforeAll(async () => {
    stack = await Stack.start('events');
    for (const deviceid of [WATCHED, OTHER]) await stack.registerDevice(deviceid);
    stream = await SseClient.open(
      `${stack.mentor!.url}/events?deviceid=${WATCHED}&ticket=${await ticket(stack)}`,
    );
    assert.equal(stream.status, 200);
  });

  afterAll(async () => {
    stream?.close();
    await stack?.close();
  });

  it('delivers a new alert to a watching dashboard within a second of the device posting it', async () => {
    const id = randomUUID();
    const sent = Date.now();
    const response = await request('POST', `${stack.api}/devices/${WATCHED}/alerts`, {
      body: [{ id, level: 'critical', alert_type: 'disk_full', message: 'disk at 99%' }],
      headers: stack.asDevice(WATCHED),
    });
    assert.equal(response.status, 201);
    const event = await stream.next(
      (e) => e.event === 'alerts' && (e.data as LiveEvent).records.some((r) => r.id === id),
    );
    const latency = event.receivedAt - sent;
    assert.ok(latency < 1000, `alert arrived after ${latency} ms`);
    const data = event.data as LiveEvent;
    assert.equal(data.deviceid, WATCHED);
    assert.equal(data.count, 1);
  });

  it('streams only the watched device and announces a batch by its newest metric', async () => {
    await request('POST', `${stack.api}/devices/${OTHER}/metrics`, {
      body: { cpu_usage: 1 },
      headers: stack.asDevice(OTHER),
    });
    const older = {
      id: randomUUID(),
      cpu_usage: 10,
      timestamp: new Date(Date.now() - 5000).toISOString(),
    };
    const newer = { id: randomUUID(), cpu_usage: 20, timestamp: new Date().toISOString() };
    await request('POST', `${stack.api}/devices/${WATCHED}/metrics`, {
      body: [older, newer],
      headers: stack.asDevice(WATCHED),
    });
    const event = await stream.next((e) => e.event === 'metrics');
    const data = event.data as LiveEvent;
    assert.equal(data.deviceid, WATCHED);
    assert.equal(data.count, 2);
    assert.deepEqual(
      data.records.map((r) => r.id),
      [newer.id],
    );
    assert.ok(
      stream.events.every(
        (e) => (e.data as LiveEvent).deviceid !== OTHER || e.event === 'heartbeat',
      ),
    );
  });

  it('does not announce a redelivered record again', async () => {
    const id = randomUUID();
    const record = {
      id,
      deviceid: WATCHED,
      timestamp: new Date().toISOString(),
      activity_type: 'login',
    };
    const auth = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };
    await request('POST', `${stack.mentor!.url}/devices/activity`, { body: record, headers: auth });
    await request('POST', `${stack.mentor!.url}/devices/activity`, { body: record, headers: auth });
    // A marker after both deliveries: once it has arrived, any re-announcement would have too.
    const marker = randomUUID();
    await request('POST', `${stack.mentor!.url}/devices/activity`, {
      body: { ...record, id: marker },
      headers: auth,
    });
    await stream.next((e) => (e.data as LiveEvent).records?.some((r) => r.id === marker));
    const announced = stream.events.filter((e) =>
      (e.data as LiveEvent).records?.some((r) => r.id === id),
    );
    assert.equal(announced.length, 1);
  });

  it('opens only for a signed-in user: a ticket in the URL, or a bearer token', async () => {
    const url = `${stack.mentor!.url}/events`;
    const none = await SseClient.open(url);
    assert.equal(none.status, 401);
    const admin = await stack.asAdmin();
    // An access token is not a ticket, and a ticket is not an access token.
    const accessAsTicket = await SseClient.open(`${url}?ticket=${admin.authorization.slice(7)}`);
    assert.equal(accessAsTicket.status, 401);
    const forged = await SseClient.open(`${url}?ticket=not.a.ticket`);
    assert.equal(forged.status, 401);
    const ticketAsAccess = await request('GET', `${stack.mentor!.url}/devices`, {
      headers: { authorization: `Bearer ${await ticket(stack)}` },
    });
    assert.equal(ticketAsAccess.status, 401);
    const withHeader = await SseClient.open(url, admin);
    assert.equal(withHeader.status, 200);
    // The stream is written by Nest on the raw response; it carries the security headers too.
    assert.equal(withHeader.headers.get('content-type'), 'text/event-stream');
    assert.equal(withHeader.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(withHeader.headers.get('x-frame-options'), 'SAMEORIGIN');
    withHeader.close();
    assert.equal((await request('POST', `${url}/ticket`)).status, 401);
    // The ticket never reaches the request log.
    assert.doesNotMatch(stack.mentor!.logs, /ticket=ey/);
  });

  it('refuses a malformed device filter', async () => {
    const bad = await request(
      'GET',
      `${stack.mentor!.url}/events?deviceid=${encodeURIComponent('bad id!')}`,
      { headers: await stack.asAdmin() },
    );
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /deviceid/);
  });

  it('ends open streams on SIGTERM so the mentor shuts down cleanly, not by the grace timer', async () => {
    const open = await SseClient.open(`${stack.mentor!.url}/events`, await stack.asAdmin());
    assert.equal(open.status, 200);
    // Were an open stream to hold the HTTP server, the grace timer would end the process with
    // exit code 1 (SHUTDOWN_GRACE, 10 s here); a clean shutdown exits 0.
    const code = await stack.mentor!.stop();
    assert.equal(code, 0, stack.mentor!.logs.slice(-1500));
    assert.doesNotMatch(stack.mentor!.logs, /Grace period over/);
    open.close();
  });
});
