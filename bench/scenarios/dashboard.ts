import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'pg';
import { ROLLUPS_FROM_RAW } from '../../apps/mentor/src/telemetry/metric-rollup.sql';
import { addDays, utcDay } from '../../libs/platform/src/database/partition-layout';
import { ensureDailyPartitions } from '../../libs/platform/src/database/partitions';
import { BenchContext } from '../lib/context';
import { KeepAliveClient } from '../lib/keep-alive-client';
import { closedLoop } from '../lib/load';
import { ProcessWatch, round } from '../lib/proc';
import type { Measurement, ScenarioResult } from '../lib/result';
import { dashboardSql } from './dashboard-sql';

const DEVICES = 1000;
const CONCURRENCY = 4;

/**
 * Mentor dashboard queries over HTTP with a signed-in session, on a data set loaded with SQL
 * into the Mentor schema after its migrations: 1,000 devices, 10,000 metric samples each over
 * the last 24 h (10 M rows; 1 M with --quick), their per-minute rollups, and 200 open alerts each.
 */
export async function dashboardScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const perDevice = ctx.options.quick ? 1000 : 10_000;
  const durationS = ctx.options.quick ? 8 : 15;
  const url = await ctx.db.create('bench_dashboard');
  let mentor = await ctx.startMentor(url);
  const pool = ctx.pool(url, 'mentor');
  // As the Mentor connects (libs/platform typeorm-options), so the plans are the same.
  const sqlPool = new Pool({
    connectionString: url,
    max: CONCURRENCY,
    options: '-c search_path=mentor -c random_page_cost=1.1',
  });
  const measurements: Measurement[] = [];
  let client: KeepAliveClient | undefined;
  try {
    const loadStarted = Date.now();
    await load(pool, perDevice);
    const loadS = round((Date.now() - loadStarted) / 1000, 1);
    // A fresh process, so its memory reading covers the queries only.
    await mentor.stop();
    mentor = await ctx.startMentor(url);
    const auth = await ctx.signIn(mentor);
    const http = new KeepAliveClient(mentor.url, { authorization: auth }, CONCURRENCY);
    client = http;
    const device = (): string =>
      `dev-${String(Math.floor(Math.random() * DEVICES)).padStart(4, '0')}`;
    const sql = dashboardSql(sqlPool);
    const queries: [string, () => string, (device: string) => Promise<void>][] = [
      ['device list (first page of 100)', () => '/devices', sql.list],
      [
        '24 h of metrics downsampled to 300 points',
        () => `/devices/${device()}/metrics?points=300`,
        sql.metrics,
      ],
      ['alerts page (100 newest)', () => `/devices/${device()}/alerts`, sql.alerts],
    ];
    const targets: ScenarioResult['targets'] = [];
    const ratios: string[] = [];
    let metricsRatio = 0;
    for (const [label, path, baseline] of queries) {
      const base = await measureBaseline(ctx, label, durationS, () => baseline(device()));
      measurements.push(base);
      const call = (): Promise<boolean> => http.get(path());
      await closedLoop(CONCURRENCY, 2, call);
      const watch = new ProcessWatch({
        mentor: () => [mentor.pid!],
        postgres: ctx.postgresPids,
        loadgen: () => [process.pid],
      });
      watch.start();
      const result = await closedLoop(CONCURRENCY, durationS, call);
      measurements.push({ label, load: result, processes: watch.stop() });
      const ratio = round(result.rps / base.load!.rps, 2);
      ratios.push(`${label}: API ${result.rps} req/s vs SQL ${base.load!.rps} q/s = ${ratio}`);
      if (path().includes('/metrics')) metricsRatio = ratio;
      targets.push({
        what: `${label} p95 at ${(perDevice * DEVICES) / 1e6} M rows`,
        target: '<= 50 ms',
        value: `${result.p95Ms} ms`,
        met: result.p95Ms! <= 50 && result.failures === 0,
      });
    }
    return {
      scenario: 'dashboard',
      description: `mentor dashboard queries, ${CONCURRENCY} concurrent signed-in clients, ${DEVICES} devices, ${(perDevice * DEVICES).toLocaleString('en')} metric rows, ${DEVICES * 200} open alerts`,
      measurements,
      ratio: { of: 'downsampled metrics req/s vs the same SQL through pg', value: metricsRatio },
      targets,
      notes: [`data set loaded with SQL in ${loadS} s`, ...ratios],
    };
  } finally {
    client?.close();
    await pool.end();
    await sqlPool.end();
    await mentor.stop();
    await delay(200);
    await ctx.db.drop('bench_dashboard');
  }
}

/** The same statements straight through node-postgres, same concurrency and duration. */
async function measureBaseline(
  ctx: BenchContext,
  label: string,
  durationS: number,
  run: () => Promise<void>,
): Promise<Measurement> {
  const call = async (): Promise<boolean> => {
    await run();
    return true;
  };
  await closedLoop(CONCURRENCY, 2, call);
  const watch = new ProcessWatch({ postgres: ctx.postgresPids, loadgen: () => [process.pid] });
  watch.start();
  const result = await closedLoop(CONCURRENCY, durationS, call);
  return { label: `baseline: ${label}, its SQL through pg`, load: result, processes: watch.stop() };
}

async function load(pool: import('pg').Pool, perDevice: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query(`
      INSERT INTO devices (deviceid, device_name, device_type, os, registered_at, last_seen_at,
                           latest_metric_at, latest_cpu_usage, latest_memory_used, latest_memory_total)
      SELECT 'dev-' || lpad(i::text, 4, '0'), 'device ' || i, 'laptop', 'linux', now() - interval '30 days',
             now() - (i % 300) * interval '1 second', now(), random() * 100,
             (random() * 16e9)::bigint, 17179869184
        FROM generate_series(0, ${DEVICES - 1}) i`);
    // The tables are partitioned by day: the mentor premade today's partition and the next
    // days' at start; the loaded range reaches back 24 h, into yesterday.
    const today = utcDay(Date.now());
    for (const table of ['metrics', 'metric_rollups', 'alerts']) {
      await ensureDailyPartitions(client, table, [addDays(today, -1), today]);
    }
    // Indexes are built after the load: far faster than maintaining them row by row. On a
    // partitioned table the definition reads `ON ONLY`, which would build the parent's alone.
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `SELECT indexname AS name, replace(indexdef, ' ON ONLY ', ' ON ') AS def FROM pg_indexes
        WHERE schemaname = 'mentor' AND tablename = 'metrics' AND indexname <> 'metrics_pkey'`,
    );
    await client.query('ALTER TABLE metrics DROP CONSTRAINT metrics_pkey');
    for (const index of indexes) await client.query(`DROP INDEX mentor."${index.name}"`);
    // Oldest first and all devices at each instant, the order live ingest writes them in, so
    // one device's rows are spread over the table as they are in production.
    const step = Math.max(1, Math.floor(perDevice / 10));
    for (let first = perDevice - 1; first >= 0; first -= step) {
      const last = Math.max(0, first - step + 1);
      await client.query(`
        INSERT INTO metrics (id, deviceid, ts, received_at, cpu_usage, cpu_temp, memory_total,
                             memory_used, swap_used, disk_total, disk_used, net_bytes_in, net_bytes_out)
        SELECT gen_random_uuid(), 'dev-' || lpad(d::text, 4, '0'),
               now() - s * (interval '86400 seconds' / ${perDevice}), now(),
               random() * 100, 40 + random() * 40, 17179869184, (random() * 16e9)::bigint, 0,
               512110190592, 210000000000, (random() * 1e6)::bigint, (random() * 1e6)::bigint
          FROM generate_series(${first}, ${last}, -1) s, generate_series(0, ${DEVICES - 1}) d
         ORDER BY s DESC, d`);
    }
    await client.query('ALTER TABLE metrics ADD CONSTRAINT metrics_pkey PRIMARY KEY (id, ts)');
    for (const index of indexes) await client.query(index.def);
    // The per-minute rollups that ingest keeps, built from the same rows, in time order.
    await client.query(ROLLUPS_FROM_RAW);
    await client.query(`
      INSERT INTO alerts (id, deviceid, ts, level, alert_type, message, value, threshold)
      SELECT gen_random_uuid(), 'dev-' || lpad(d::text, 4, '0'), now() - s * interval '7 minutes',
             (ARRAY['info', 'warning', 'error', 'critical'])[1 + s % 4], 'cpu_high',
             'CPU above threshold', 95, 90
        FROM generate_series(0, ${DEVICES - 1}) d, generate_series(0, 199) s`);
    await client.query(`
      INSERT INTO alert_counts (deviceid, level, unresolved)
      SELECT deviceid, level, count(*) FROM alerts WHERE state <> 'resolved' GROUP BY deviceid, level
      ON CONFLICT (deviceid, level) DO UPDATE SET unresolved = EXCLUDED.unresolved`);
    await client.query('VACUUM ANALYZE metrics');
    await client.query('VACUUM ANALYZE metric_rollups');
    await client.query('VACUUM ANALYZE alerts');
    await client.query('VACUUM ANALYZE devices');
    await client.query('VACUUM ANALYZE alert_counts');
  } finally {
    client.release();
  }
}
