import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = ['metrics', 'activities', 'alerts'];

/**
 * Devices' telemetry tables lose their `(id, ts)` primary key. Ingest stores a record only once
 * its id is new in `record_ids` (in the same statement), which is the one-record-per-id rule;
 * the key could not enforce that across partitions anyway (a retry stored at another `ts` is
 * another key), and maintaining it, a random uuid per row, was a sizeable share of
 * PostgreSQL's CPU per ingested record (bench/README.md). Nothing reads these tables
 * by id: the export feed goes by `(tx, id)`, the dashboard by `(deviceid, ts)`.
 */
export class TelemetryWithoutRowKey1764500000000 implements MigrationInterface {
  name = 'TelemetryWithoutRowKey1764500000000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of TABLES)
      await db.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of TABLES) await db.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id, ts)`);
  }
}
