import { request } from '@app/testing/http-client';
import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import { ServiceProcess, TEST_SERVICE_TOKEN } from '@app/testing/services';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'pg';

const auth = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };

void describe('Mentor ingest of forwarded records', () => {
  let mentor: ServiceProcess;
  let db: Pool;
  let dbName: string;

  before(async () => {
    const created = await createTestDatabase('mentor_ingest');
    dbName = created.name;
    mentor = await ServiceProcess.start('mentor', {
      DATABASE_URL: created.url,
      MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
    });
    db = new Pool({ connectionString: created.url, max: 2, options: '-c search_path=mentor' });
  });

  after(async () => {
    await mentor?.stop();
    await db?.end();
    if (dbName) await dropTestDatabase(dbName);
  });

  function post<T = { received: number; stored: number; duplicates: number }>(
    path: string,
    body: unknown,
  ) {
    return request<T>('POST', `${mentor.url}${path}`, { body, headers: auth });
  }

  void it('stores one record or an array under the devices-side id and absorbs a redelivery', async () => {
    const a = {
      id: randomUUID(),
      deviceid: 'm-1',
      timestamp: new Date().toISOString(),
      cpu_usage: 1,
    };
    const b = {
      id: randomUUID(),
      deviceid: 'm-1',
      timestamp: new Date().toISOString(),
      cpu_usage: 2,
    };
    const single = await post('/devices/metrics', a);
    assert.deepEqual([single.status, single.body.stored], [200, 1]);
    const batch = await post('/devices/metrics', [a, b]);
    assert.deepEqual([batch.status, batch.body.stored, batch.body.duplicates], [200, 1, 1]);
    const { rows } = await db.query('SELECT id FROM metrics ORDER BY id');
    assert.deepEqual(
      rows.map((r: { id: string }) => r.id),
      [a.id, b.id].sort(),
    );
    const metrics = await request<string>('GET', `${mentor.url}/metrics`);
    assert.match(metrics.body, /^mentor_duplicates_absorbed_total\{data_type="metrics"\} 1$/m);
  });

  void it('creates a device from its first telemetry and fills it in when the registration arrives', async () => {
    const seen = new Date(Date.now() - 60_000).toISOString();
    await post('/devices/alerts', [
      { id: randomUUID(), deviceid: 'late-reg', timestamp: seen, level: 'info', alert_type: 't' },
    ]);
    let { rows } = await db.query('SELECT * FROM devices WHERE deviceid = $1', ['late-reg']);
    assert.equal(rows[0].device_name, null);
    assert.equal(new Date(rows[0].last_seen_at).toISOString(), seen);
    const now = new Date().toISOString();
    await post('/devices/register', {
      deviceid: 'late-reg',
      device_name: 'Late',
      registered_at: now,
      updated_at: now,
    });
    ({ rows } = await db.query('SELECT * FROM devices WHERE deviceid = $1', ['late-reg']));
    assert.equal(rows[0].device_name, 'Late');
  });

  void it('applies device facts and process snapshots by timestamp, whatever the arrival order', async () => {
    const t0 = new Date(Date.now() - 10_000).toISOString();
    const t1 = new Date(Date.now() - 5_000).toISOString();
    await post('/devices/register', {
      deviceid: 'ordered',
      device_name: 'new name',
      registered_at: t0,
      updated_at: t1,
    });
    const stale = await post('/devices/register', {
      deviceid: 'ordered',
      device_name: 'old name',
      registered_at: t0,
      updated_at: t0,
    });
    assert.equal(stale.body.stored, 0);
    const { rows } = await db.query('SELECT device_name FROM devices WHERE deviceid = $1', [
      'ordered',
    ]);
    assert.equal(rows[0].device_name, 'new name');

    const newer = {
      id: randomUUID(),
      deviceid: 'ordered',
      timestamp: t1,
      processes: [{ pid: 2, process_name: 'new' }],
    };
    const older = {
      id: randomUUID(),
      deviceid: 'ordered',
      timestamp: t0,
      processes: [{ pid: 1, process_name: 'old' }],
    };
    const both = await post('/devices/processes', [newer, older]);
    assert.equal(both.status, 200);
    const snap = await db.query('SELECT id FROM process_snapshots WHERE deviceid = $1', [
      'ordered',
    ]);
    assert.equal(snap.rows[0].id, newer.id);
  });

  void it('refuses a forwarded record without its identity and stores nothing of the batch', async () => {
    const good = {
      id: randomUUID(),
      deviceid: 'm-2',
      timestamp: new Date().toISOString(),
      activity_type: 'x',
    };
    const response = await post<{ details: { field: string }[] }>('/devices/activity', [
      good,
      { deviceid: 'm-2', activity_type: 'x' },
    ]);
    assert.equal(response.status, 400);
    assert.deepEqual(
      response.body.details.map((d) => d.field),
      ['[1].id', '[1].timestamp'],
    );
    const { rows } = await db.query('SELECT count(*)::int AS n FROM activities WHERE id = $1', [
      good.id,
    ]);
    assert.equal(rows[0].n, 0);
  });

  void it('refuses forwarded data without the service credential', async () => {
    const record = { id: randomUUID(), deviceid: 'x', timestamp: new Date().toISOString() };
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-the-token-at-all-000' },
      { authorization: TEST_SERVICE_TOKEN },
    ];
    for (const path of [
      '/devices/register',
      '/devices/metrics',
      '/devices/activity',
      '/devices/processes',
      '/devices/alerts',
    ]) {
      for (const headers of attempts) {
        const response = await request('POST', `${mentor.url}${path}`, { body: record, headers });
        assert.equal(response.status, 401, `${path} with ${JSON.stringify(headers)}`);
      }
    }
    const { rows } = await db.query('SELECT count(*)::int AS n FROM metrics WHERE id = $1', [
      record.id,
    ]);
    assert.equal(rows[0].n, 0);
  });
});
