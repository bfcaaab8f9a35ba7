import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The export feed's cursor: every exported row remembers the transaction that last wrote it
 * (`tx`). The feed only hands out rows whose transaction is older than every transaction still
 * running, so a row that commits late cannot fall behind a cursor that already moved on.
 */
const TABLES: [string, string][] = [
  ['devices', 'deviceid'],
  ['metrics', 'id'],
  ['activities', 'id'],
  ['alerts', 'id'],
  ['process_snapshots', 'deviceid'],
];

export class ExportCursor1763900000000 implements MigrationInterface {
  name = 'ExportCursor1763900000000';

  async up(db: QueryRunner): Promise<void> {
    for (const [table, key] of TABLES) {
      await db.query(
        `ALTER TABLE ${table} ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id()`,
      );
      await db.query(`CREATE INDEX ${table}_export_idx ON ${table} (tx, ${key})`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const [table] of TABLES) {
      await db.query(`DROP INDEX IF EXISTS ${table}_export_idx`);
      await db.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS tx`);
    }
  }
}
