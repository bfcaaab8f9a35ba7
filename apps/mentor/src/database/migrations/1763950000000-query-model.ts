import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the query API needs to stay fast at millions of rows:
 * - the latest metric sample kept on the device row (written by ingest, newest wins), so the
 *   device list never scans metrics;
 * - alert workflow state, with a partial index over open alerts for the per-device counts;
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
    await db.query(
      `CREATE INDEX alerts_unresolved_idx ON alerts (deviceid, level) WHERE state <> 'resolved'`,
    );
    await db.query(`CREATE INDEX alerts_ts_idx ON alerts (ts DESC, id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX IF EXISTS alerts_ts_idx');
    await db.query('DROP INDEX IF EXISTS alerts_unresolved_idx');
    await db.query(`ALTER TABLE alerts DROP COLUMN state, DROP COLUMN acknowledged_by,
      DROP COLUMN acknowledged_at, DROP COLUMN resolved_by, DROP COLUMN resolved_at`);
    await db.query(`ALTER TABLE devices DROP COLUMN latest_metric_at, DROP COLUMN latest_cpu_usage,
      DROP COLUMN latest_memory_used, DROP COLUMN latest_memory_total`);
  }
}
