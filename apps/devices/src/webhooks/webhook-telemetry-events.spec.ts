import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { devicesDataSourceOptions } from '../database/devices-data-source';
import { ingestStatement } from '../telemetry/telemetry.sql';
import { telemetryEventValues } from './webhook-events.service';
import { fanoutEventIds } from './webhook-transport';
import { BACKLOG_BY_ENDPOINT, EXPAND_FANOUT, LOAD_EVENTS, REDELIVER } from './webhooks.sql';

const ENDPOINTS = [randomUUID(), randomUUID()];

interface Sample {
  id: string;
  deviceid: string;
  timestamp: string;
  cpu_usage: number;
  note?: string;
}

const sample = (deviceid: string, note?: string): Sample => ({
  id: randomUUID(),
  deviceid,
  timestamp: new Date().toISOString(),
  cpu_usage: 12.5,
  ...(note ? { note } : {}),
});

/** Runs Devices' metrics ingest statement (not forwarded) for a group of requests. */
async function ingest(db: MigrationDatabase, jobs: { records: Sample[] }[]): Promise<void> {
  const { doc, values } = telemetryEventValues(jobs, ENDPOINTS);
  await db.pool.query(ingestStatement('metrics', false, true), [Buffer.from(doc), ...values]);
}

describe('Webhook events of a telemetry group (ingest statement, LOAD_EVENTS, REDELIVER)', () => {
  let db: MigrationDatabase;

  beforeAll(async () => {
    db = await MigrationDatabase.open('devices_webhook_groups', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
    await db.migrateTo();
    for (const id of ENDPOINTS) {
      await db.pool.query(
        `INSERT INTO webhook_endpoints (id, url, events, secret)
         VALUES ($1, 'https://h.example/', '{metric.submitted}', 'whsec_x')`,
        [id],
      );
    }
  });

  afterAll(async () => {
    await db?.close();
  });

  it('keeps a group in one row and queues one event per request that stored a record', async () => {
    const known = sample('d9');
    await ingest(db, [{ records: [known] }]);
    await db.pool.query('DELETE FROM webhook_events');
    await db.pool.query('DELETE FROM outbox');
    const jobs = [
      { records: [sample('d1'), sample('d1')] },
      // Nothing new: a retry of a stored record, then a record the group already holds.
      { records: [known] },
      { records: [sample('d2', 'ümlaut and 🙂')] },
      { records: [] as Sample[] },
    ];
    jobs[3].records.push(jobs[0].records[0]);
    await ingest(db, jobs);

    const rows = await db.pool.query<{ id: string; devices: string[] }>(
      'SELECT id, devices FROM webhook_events',
    );
    assert.equal(rows.rows.length, 1);
    const row = rows.rows[0];
    assert.deepEqual(row.devices, ['"d1"', '"d2"']);
    const queued = await db.pool.query<{
      record_id: string;
      payload: unknown;
      bundle_size: number;
    }>(`SELECT record_id, payload, bundle_size FROM outbox WHERE channel = 'webhooks'`);
    const ids = [`${row.id}_1`, `${row.id}_2`];
    assert.deepEqual(queued.rows, [
      {
        record_id: ids[0],
        bundle_size: 2,
        payload: { type: 'metric.submitted', endpoints: ENDPOINTS, events: 2 },
      },
    ]);
    assert.deepEqual(fanoutEventIds(ids[0], 2), ids);

    const events = await db.pool.query<{ id: string; type: string; data: string }>(LOAD_EVENTS, [
      [...ids, `${row.id}_3`, `${row.id}_0`, row.id],
    ]);
    assert.deepEqual(
      events.rows.map((e) => [e.id, e.type, JSON.parse(e.data) as unknown]),
      [
        [ids[0], 'metric.submitted', { deviceid: 'd1', records: jobs[0].records }],
        [ids[1], 'metric.submitted', { deviceid: 'd2', records: jobs[2].records }],
      ],
    );

    const backlog = await db.pool.query(BACKLOG_BY_ENDPOINT);
    assert.deepEqual(
      new Set(backlog.rows),
      new Set(ENDPOINTS.map((endpoint) => ({ endpoint, pending: 2, dead: 0 }))),
    );
  });

  it('queues a group whose records are all new in fan-out rows of a hundred events at most', async () => {
    await db.pool.query('DELETE FROM webhook_events');
    await db.pool.query('DELETE FROM outbox');
    const jobs = Array.from({ length: 250 }, (_, i) => ({ records: [sample(`d${i % 7}`)] }));
    jobs[3].records.push(sample('d3', 'ümlaut'));
    await ingest(db, jobs);

    const rows = await db.pool.query<{ id: string; devices: string[] }>(
      'SELECT id, devices FROM webhook_events',
    );
    assert.equal(rows.rows.length, 1);
    const row = rows.rows[0];
    assert.deepEqual(
      row.devices,
      jobs.map((_, i) => `"d${i % 7}"`),
    );
    const queued = await db.pool.query(
      `SELECT record_id, payload, bundle_size FROM outbox WHERE channel = 'webhooks' ORDER BY id`,
    );
    const fanout = (k: number, events: number): unknown => ({
      record_id: `${row.id}_${k}`,
      bundle_size: events,
      payload: { type: 'metric.submitted', endpoints: ENDPOINTS, events },
    });
    assert.deepEqual(queued.rows, [fanout(1, 100), fanout(101, 100), fanout(201, 50)]);

    const ids = [1, 4, 100, 101, 250].map((k) => `${row.id}_${k}`);
    const events = await db.pool.query<{ id: string; data: string }>(LOAD_EVENTS, [
      [...ids, `${row.id}_251`],
    ]);
    assert.deepEqual(
      events.rows.map((e) => [e.id, JSON.parse(e.data) as unknown]).sort(),
      [1, 4, 100, 101, 250]
        .map((k) => [
          `${row.id}_${k}`,
          { deviceid: `d${(k - 1) % 7}`, records: jobs[k - 1].records },
        ])
        .sort(),
    );
    const backlog = await db.pool.query(BACKLOG_BY_ENDPOINT);
    assert.deepEqual(
      new Set(backlog.rows),
      new Set(ENDPOINTS.map((endpoint) => ({ endpoint, pending: 250, dead: 0 }))),
    );
  });

  it('replaces a group fan-out row by rows for its failed pairs, and redelivers one event of a group', async () => {
    await db.pool.query('DELETE FROM outbox');
    await ingest(db, [{ records: [sample('d1')] }, { records: [sample('d2')] }]);
    const { rows } = await db.pool.query<{ id: string; record_id: string }>(
      `UPDATE outbox SET attempts = 1 WHERE channel = 'webhooks' RETURNING id, record_id`,
    );
    const first = rows[0].record_id;
    const second = first.replace(/_1$/, '_2');
    const expanded = await db.pool.query(EXPAND_FANOUT, [
      rows[0].id,
      1,
      [ENDPOINTS[0], ENDPOINTS[1]],
      [second, first],
      ['metric.submitted', 'metric.submitted'],
      ['503', 'timeout'],
      [100, 100],
    ]);
    assert.deepEqual(expanded.rows, [{ fanout: 1, expanded: 2 }]);
    const retries = await db.pool.query(
      `SELECT topic, record_id, payload, bundle_size, attempts, last_error FROM outbox
       WHERE channel = 'webhooks' ORDER BY last_error`,
    );
    const row = { payload: 'metric.submitted', bundle_size: null, attempts: 1 };
    assert.deepEqual(retries.rows, [
      { topic: ENDPOINTS[0], record_id: second, ...row, last_error: '503' },
      { topic: ENDPOINTS[1], record_id: first, ...row, last_error: 'timeout' },
    ]);

    await db.pool.query('DELETE FROM outbox');
    const redelivered = await db.pool.query(REDELIVER, [ENDPOINTS[0], second]);
    assert.deepEqual(redelivered.rows, [{ record_id: second }]);
    const missing = await db.pool.query(REDELIVER, [ENDPOINTS[0], first.replace(/_1$/, '_3')]);
    assert.equal(missing.rowCount, 0);
  });
});
