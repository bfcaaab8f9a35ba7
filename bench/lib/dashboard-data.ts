import type { Pool } from 'pg';
import { ROLLUPS_FROM_RAW } from '../../apps/mentor/src/telemetry/metric-rollup.sql';
import { addDays, utcDay } from '../../libs/platform/src/database/partition-layout';
import { ensureDailyPartitions } from '../../libs/platform/src/database/partitions';

/** Devices in the dashboard data set: `dev-0000` … `dev-0999`. */
export const DEVICES = 1000;

/** The id of the i-th device of the data set. */
export const benchDeviceId = (i: number): string => `dev-${String(i).padStart(4, '0')}`;

/**
 * Loads the dashboard data set with SQL into the Mentor schema after its migrations: DEVICES
 * devices, `perDevice` metric samples each over the last 24 h, their per-minute rollups, and
 * 200 open alerts each.
 */
export async function loadDashboardData(pool: Pool, perDevice: number): Promise<void> {
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
