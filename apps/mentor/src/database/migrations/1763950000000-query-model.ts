import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the query API needs to stay fast at millions of rows:
 * - the latest metric sample kept on the device row (written by ingest, newest wins), so the
 *   device list never scans metrics;
 * - alert workflow state, and per device and level the number of unresolved alerts, kept by
 *   the same transactions that store or resolve alerts (counting them at read time grows with
 *   the open alerts of the whole fleet; reading the counters does not, docs/query-performance.md);
 * - (ts, id) keyset indexes for the newest-first lists already exist per device.
 */
export class QueryModel1763950000000 implements MigrationInterface {
  name = 'QueryModel1763950000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE devices
        ADD COLUMN latest_metric_at timestamptz,
        ADD COLUMN latest_cpu_usage double precision,
        ADD COLUMN latest_memory_used bigint,
        ADD COLUMN latest_memory_total bigint`);
    await db.query(`
      ALTER TABLE alerts
        ADD COLUMN state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
        ADD COLUMN acknowledged_by text,
        ADD COLUMN acknowledged_at timestamptz,
        ADD COLUMN resolved_by text,
        ADD COLUMN resolved_at timestamptz`);
    await db.query(`
      CREATE TABLE alert_counts (
        deviceid text NOT NULL,
        level text NOT NULL,
        unresolved integer NOT NULL DEFAULT 0,
        PRIMARY KEY (deviceid, level)
      )`);
    await db.query(`
      INSERT INTO alert_counts (deviceid, level, unresolved)
      SELECT deviceid, level, count(*) FROM alerts WHERE state <> 'resolved' GROUP BY deviceid, level`);
    await db.query(`CREATE INDEX alerts_ts_idx ON alerts (ts DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX IF EXISTS alerts_ts_idx');
    await db.query('DROP TABLE IF EXISTS alert_counts');
    await db.query(`ALTER TABLE alerts DROP COLUMN state, DROP COLUMN acknowledged_by,
      DROP COLUMN acknowledged_at, DROP COLUMN resolved_by, DROP COLUMN resolved_at`);
    await db.query(`ALTER TABLE devices DROP COLUMN latest_metric_at, DROP COLUMN latest_cpu_usage,
      DROP COLUMN latest_memory_used, DROP COLUMN latest_memory_total`);
  }
}
