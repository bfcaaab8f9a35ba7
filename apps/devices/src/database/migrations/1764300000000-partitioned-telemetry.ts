import { convertToPartitioned, convertToPlain, type TableConversion } from '@app/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The telemetry tables with their indexes as the earlier migrations made them. */
export const DEVICES_TELEMETRY_TABLES: TableConversion[] = ['metrics', 'activities', 'alerts'].map(
  (table) => ({
    table,
    indexes: [
      { name: `${table}_device_ts_idx`, columns: 'deviceid, ts DESC' },
      { name: `${table}_export_idx`, columns: 'tx, id' },
    ],
  }),
);

/**
 * Retention at scale: metrics, activities and alerts become partitioned by day on `ts` (see
 * libs/platform/src/database/partitions.ts), so RETENTION_DAYS drops whole partitions.
 *
 * Their primary key becomes `(id, ts)`, since a unique key must contain the partition key. That
 * alone would let a retry of a record without a device timestamp (stored at its receive time,
 * so another `ts`) in twice; `record_ids` keeps the one-record-per-id rule: ingest inserts each
 * id there first, in the same statement, and only ids new there reach the telemetry tables.
 * It is small per row (id, kind, ts) and pruned with the same cut-off as the partitions.
 */
export class PartitionedTelemetry1764300000000 implements MigrationInterface {
  name = 'PartitionedTelemetry1764300000000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of DEVICES_TELEMETRY_TABLES) await convertToPartitioned(db, table);
    await db.query(`
      CREATE TABLE record_ids (
        id uuid NOT NULL,
        kind text NOT NULL,
        ts timestamptz NOT NULL,
        PRIMARY KEY (id, kind)
      )`);
    for (const { table } of DEVICES_TELEMETRY_TABLES) {
      await db.query(`INSERT INTO record_ids (id, kind, ts) SELECT id, $1, ts FROM ${table}`, [
        table,
      ]);
    }
    await db.query(`CREATE INDEX record_ids_ts_idx ON record_ids (ts)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE IF EXISTS record_ids');
    for (const table of DEVICES_TELEMETRY_TABLES) await convertToPlain(db, table);
  }
}
