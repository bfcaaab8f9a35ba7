import assert from 'node:assert/strict';
import { telemetryEventValues, WebhookEvents } from './webhook-events.service';
import { WebhookPacer } from './webhook-pacer';
import { WebhookSubscriptions } from './webhook-subscriptions.service';

const record = (id: string, deviceid: string, note = '') => ({ id, deviceid, cpu_usage: 1, note });

/** Each event's data as the ingest statement cuts it out of the document (1-based byte ranges). */
function eventData(doc: string, devices: string[], starts: number[], lengths: number[]): string[] {
  const bytes = Buffer.from(doc);
  return devices.map((device, i) => {
    const records = bytes.subarray(starts[i] - 1, starts[i] - 1 + lengths[i]).toString();
    return `{"deviceid":${device},"records":[${records}]}`;
  });
}

describe('telemetryEventValues', () => {
  it('makes one event per request with its records cut out of the group document by byte range', () => {
    const jobs = [
      { records: [record('a', 'd1'), record('b', 'd1')] },
      { records: [record('c', 'd2', 'ümlaut and 🙂')] },
      { records: [record('d', 'd3')] },
    ];
    const { doc, values } = telemetryEventValues(jobs, ['e1', 'e2', 'e3']);
    const [rowId, devices, starts, lengths, owners, endpoints] = values as [
      string,
      string[],
      number[],
      number[],
      number[],
      string[],
    ];
    const data = eventData(doc, devices, starts, lengths);
    assert.deepEqual(JSON.parse(doc), [...jobs[0].records, ...jobs[1].records, ...jobs[2].records]);
    assert.match(rowId, /^msg_[0-9a-f]{32}$/);
    assert.notEqual(telemetryEventValues(jobs, ['e1']).values[0], rowId);
    assert.deepEqual(
      data.map((d) => JSON.parse(d) as unknown),
      [
        { deviceid: 'd1', records: jobs[0].records },
        { deviceid: 'd2', records: jobs[1].records },
        { deviceid: 'd3', records: jobs[2].records },
      ],
    );
    // Each record of the document names the request (event) it came with.
    assert.deepEqual(owners, [1, 1, 2, 3]);
    assert.deepEqual(endpoints, ['e1', 'e2', 'e3']);
  });

  it('leaves out a record an earlier request of the group carried, and a request left empty', () => {
    const jobs = [
      { records: [record('a', 'd1'), record('a', 'd1')] },
      { records: [record('a', 'd1')] },
      { records: [record('a', 'd1'), record('b', 'd1')] },
    ];
    const { doc, values } = telemetryEventValues(jobs, ['e1']);
    const [, devices, starts, lengths, owners] = values as [
      string,
      string[],
      number[],
      number[],
      number[],
    ];
    const data = eventData(doc, devices, starts, lengths);
    assert.deepEqual(
      (JSON.parse(doc) as { id: string }[]).map((r) => r.id),
      ['a', 'b'],
    );
    assert.equal(devices.length, 2);
    assert.deepEqual(
      data.map((d) => (JSON.parse(d) as { records: { id: string }[] }).records.map((r) => r.id)),
      [['a'], ['b']],
    );
    assert.deepEqual(owners, [1, 2]);
  });
});

describe('WebhookEvents.telemetryEvents', () => {
  it('holds deliveries back while ingest is backlogged, even when nobody subscribes to the kind', () => {
    const pacer = new WebhookPacer();
    // Never loaded: no endpoint subscribes to anything (its database is not needed for that).
    const subscriptions = new WebhookSubscriptions(
      undefined as never,
      undefined as never,
      {
        WEBHOOK_SUBSCRIPTION_REFRESH: 60_000,
      } as never,
    );
    const events = new WebhookEvents(subscriptions, pacer, undefined as never);
    try {
      const jobs = [{ records: [record('a', 'd1')] }];
      assert.equal(events.telemetryEvents('metric.submitted', jobs, 0), undefined);
      assert.equal(pacer.busy, false, 'one request and nothing queued is no backlog');
      assert.equal(events.telemetryEvents('metric.submitted', jobs, 3), undefined);
      assert.equal(pacer.busy, true, 'requests queued behind the write');
    } finally {
      pacer.onModuleDestroy();
    }
  });
});
