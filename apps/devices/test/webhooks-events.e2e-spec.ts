import { request } from '@app/testing/http-client';
import { pngImage } from '@app/testing/images';
import { TEST_SERVICE_TOKEN } from '@app/testing/services';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { verified, type EventBody } from './webhooks-receiver';
import { operator, WebhookTestStack } from './webhooks-stack';

const DEVICE = 'hooked-device';

describe('Webhooks: an event for each accepted write, and only then', () => {
  let hooks: WebhookTestStack;

  beforeAll(async () => {
    hooks = await WebhookTestStack.start('webhooks_events', DEVICE);
  });

  afterAll(async () => {
    await hooks?.close();
  });

  it('writes no event for a refused batch, a repeated batch, or a type nobody subscribes to', async () => {
    const endpoint = await hooks.register({
      url: `${hooks.base}/strict`,
      events: ['metric.submitted'],
    });
    hooks.receiver.answer = (_r, res) => res.end('ok');
    const id = randomUUID();
    assert.equal(await hooks.postMetrics([{ id, cpu_usage: 1 }]), 201);
    await waitFor(() => hooks.receiver.at('/strict').length === 1);
    const before = await hooks.eventCount();
    // One bad record refuses the whole batch: nothing stored, so nothing announced.
    assert.equal(await hooks.postMetrics([{ cpu_usage: 2 }, { cpu_usage: 'lots' }]), 400);
    // The same record again is a duplicate: stored once, announced once.
    assert.equal(await hooks.postMetrics([{ id, cpu_usage: 1 }]), 201);
    const activity = await request('POST', `${hooks.api}/devices/${DEVICE}/activities`, {
      headers: hooks.stack.asDevice(DEVICE),
      body: [{ activity_type: 'login' }],
    });
    assert.equal(activity.status, 201);
    assert.equal(await hooks.eventCount(), before);
    assert.equal(hooks.receiver.at('/strict').length, 1);
    await hooks.remove(endpoint.id);
  });

  it('announces registrations and process snapshots, sends test events and redelivers', async () => {
    const endpoint = await hooks.register({ url: `${hooks.base}/everything`, events: ['*'] });
    hooks.receiver.answer = (_r, res) => res.end('ok');
    await hooks.stack.registerDevice('hooked-second');
    const processes = await request('POST', `${hooks.api}/devices/hooked-second/processes`, {
      headers: hooks.stack.asDevice('hooked-second'),
      body: [{ pid: 1, process_name: 'init' }],
    });
    assert.equal(processes.status, 201);
    const test = await request<{ event_id: string }>(
      'POST',
      `${hooks.api}/webhooks/${endpoint.id}/test`,
      { headers: operator },
    );
    assert.equal(test.status, 202);
    const types = (): string[] =>
      hooks.receiver.at('/everything').map((r) => verified(endpoint.secret!, r).type);
    await waitFor(() => types().length === 3, { message: 'three events' });
    assert.deepEqual(types().sort(), ['device.registered', 'process.submitted', 'webhook.test']);

    const log = await hooks.deliveries(endpoint.id);
    const registered = log.find((d) => d.event_type === 'device.registered')!;
    const again = await request<{ event_id: string }>(
      'POST',
      `${hooks.api}/webhooks/${endpoint.id}/deliveries/${registered.id}/redeliver`,
      { headers: operator },
    );
    assert.equal(again.status, 202);
    assert.equal(again.body.event_id, registered.event_id);
    await waitFor(() => hooks.receiver.at('/everything').length === 4);
    const last = hooks.receiver.at('/everything')[3];
    assert.equal(last.headers['webhook-id'], registered.event_id);
    assert.equal(verified(endpoint.secret!, last).type, 'device.registered');
    const unknown = await request(
      'POST',
      `${hooks.api}/webhooks/${endpoint.id}/deliveries/999999/redeliver`,
      { headers: operator },
    );
    assert.equal(unknown.status, 404);
  });

  it('announces activities, alerts, screenshots and completed commands to their subscribers', async () => {
    const endpoint = await hooks.register({
      url: `${hooks.base}/devices-events`,
      events: [
        'activity.submitted',
        'alert.submitted',
        'screenshot.submitted',
        'command.completed',
      ],
    });
    hooks.receiver.answer = (_r, res) => res.end('ok');
    const asDevice = hooks.stack.asDevice(DEVICE);
    const activity = await request('POST', `${hooks.api}/devices/${DEVICE}/activities`, {
      headers: asDevice,
      body: [{ activity_type: 'login' }],
    });
    const alert = await request('POST', `${hooks.api}/devices/${DEVICE}/alerts`, {
      headers: asDevice,
      body: [{ level: 'warning', alert_type: 'disk' }],
    });
    const form = new FormData();
    form.append('file', new Blob([pngImage(4, 3)], { type: 'image/png' }), 'screen.png');
    const shot = await fetch(`${hooks.api}/devices/${DEVICE}/screenshots`, {
      method: 'POST',
      body: form,
      headers: asDevice,
    });
    const commandid = randomUUID();
    const handOff = await request('POST', `${hooks.api}/internal/commands`, {
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
    const pending = await request('GET', `${hooks.api}/devices/${DEVICE}/commands/pending`, {
      headers: asDevice,
    });
    assert.equal(pending.status, 200);
    const result = await request(
      'POST',
      `${hooks.api}/devices/${DEVICE}/commands/${commandid}/result`,
      { headers: asDevice, body: { status: 'completed', result: 'all good', exit_code: 0 } },
    );
    assert.deepEqual(
      [activity.status, alert.status, shot.status, handOff.status, result.status],
      [201, 201, 201, 200, 200],
    );
    const events = (): EventBody[] =>
      hooks.receiver.at('/devices-events').map((r) => verified(endpoint.secret!, r));
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
