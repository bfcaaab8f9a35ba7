import { request } from '@app/testing/http-client';
import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import { ServiceProcess, TEST_SERVICE_TOKEN } from '@app/testing/services';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

const auth = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };

describe('Mentor ingest of forwarded records', () => {
  let mentor: ServiceProcess;
  let db: Pool;
  let dbName: string;

  beforeAll(async () => {
    const created = await createTestDatabase('mentor_ingest');
    dbName = created.name;
    mentor = await ServiceProcess.start('mentor', {
      DATABASE_URL: created.url,
      MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
    });
    db = new Pool({ connectionString: created.url, max: 2, options: '-c search_path=mentor' });
  });

  afterAll(async () => {
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

  it('stores one record or an array under the devices-side id and absorbs a redelivery', async () => {
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

  it('creates a device from its first telemetry and fills it in when the registration arrives', async () => {
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

  it('applies device facts and process snapshots by timestamp, whatever the arrival order', async () => {
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

  it('keeps the newest sample and last-seen time on the device row and adds only fresh samples to the minute rollups', async () => {
    const minute = Date.parse('2026-11-21T10:00:00.000Z');
    const sample = (offsetS: number, cpu: number) => ({
      id: randomUUID(),
      deviceid: 'tail',
      timestamp: new Date(minute + offsetS * 1000).toISOString(),
      cpu_usage: cpu,
      memory_used: 1000 + cpu,
      memory_total: 4000,
    });
    const newest = sample(50, 30);
    const older = sample(10, 10);
    // Two samples sharing the newest time: the later one in the batch is the device's latest.
    const tie = sample(50, 40);
    const first = await post('/devices/metrics', [older, newest, tie]);
    assert.deepEqual([first.status, first.body.stored], [200, 3]);
    // An older sample arriving later, and a redelivery of one already stored.
    const late = sample(5, 99);
    const second = await post('/devices/metrics', [late, older]);
    assert.deepEqual([second.status, second.body.stored, second.body.duplicates], [200, 1, 1]);

    const device = await db.query(
      `SELECT last_seen_at, latest_metric_at, latest_cpu_usage, latest_memory_used,
              latest_memory_total FROM devices WHERE deviceid = 'tail'`,
    );
    assert.deepEqual(device.rows[0], {
      last_seen_at: new Date(tie.timestamp),
      latest_metric_at: new Date(tie.timestamp),
      latest_cpu_usage: 40,
      latest_memory_used: '1040',
      latest_memory_total: '4000',
    });
    const rollup = await db.query(
      `SELECT ts, samples, cpu_usage_n, cpu_usage_sum, cpu_usage_max FROM metric_rollups
        WHERE deviceid = 'tail'`,
    );
    assert.deepEqual(rollup.rows, [
      {
        ts: new Date(minute),
        samples: 4,
        cpu_usage_n: 4,
        cpu_usage_sum: 10 + 30 + 40 + 99,
        cpu_usage_max: 99,
      },
    ]);
  });

  it('refuses a forwarded record without its identity and stores nothing of the batch', async () => {
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

  it('refuses forwarded data without the service credential', async () => {
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
  it('keeps the per-minute rollups equal to the raw rows, counting a repeated or redelivered sample once', async () => {
    const T0 = Date.parse('2026-11-20T10:00:00.000Z');
    const samples = Array.from({ length: 240 }, (_, i) => ({
      id: randomUUID(),
      deviceid: i % 2 === 0 ? 'roll-a' : 'roll-b',
      timestamp: new Date(T0 + i * 750).toISOString(),
      cpu_usage: (i * 13) % 100,
      // Every third sample has no memory reading: its average must skip it, not count a zero.
      ...(i % 3 === 0 ? {} : { memory_used: 17_179_869_184 + i * 1_000_003 }),
    }));
    // Concurrent batches over the same minutes, then a redelivery of half of them.
    const batches = [0, 1, 2, 3].map((k) => samples.filter((_, i) => i % 4 === k));
    // A batch carrying the same sample twice stores it once and must count it once.
    batches[0].push(batches[0][0]);
    const results = await Promise.all(batches.map((batch) => post('/devices/metrics', batch)));
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200],
    );
    const again = await post('/devices/metrics', samples.slice(0, 120));
    assert.equal(again.body.stored, 0);
    const { rows: raw } = await db.query(`
      SELECT deviceid, date_bin('1 minute', ts, timestamptz '2000-01-01Z') AS slot, count(*)::int AS samples,
             count(memory_used)::int AS memory_used_n, sum(memory_used)::float8::text AS memory_used_sum,
             max(memory_used)::text AS memory_used_max, sum(cpu_usage) AS cpu_usage_sum
        FROM metrics WHERE deviceid IN ('roll-a', 'roll-b') GROUP BY 1, 2 ORDER BY 1, 2`);
    const { rows: rollups } = await db.query(`
      SELECT deviceid, ts AS slot, samples, memory_used_n, memory_used_sum::text, memory_used_max::text, cpu_usage_sum
        FROM metric_rollups WHERE deviceid IN ('roll-a', 'roll-b') ORDER BY 1, 2`);
    assert.equal(raw.length, 6);
    assert.equal(rollups.length, raw.length);
    rollups.forEach((rollup: Record<string, unknown>, i: number) => {
      const expected = raw[i] as Record<string, unknown>;
      const { cpu_usage_sum: rolledCpu, ...exact } = rollup;
      const { cpu_usage_sum: rawCpu, ...rawExact } = expected;
      // Counts, byte-counter sums (whole numbers far below 2^53) and maxima are exact.
      assert.deepEqual(exact, rawExact);
      assert.ok(Math.abs(Number(rolledCpu) - Number(rawCpu)) < 1e-9);
    });
  });
});
