import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where the pull path stands with each source, and how the last attempt went. */
export class SyncState1763900000000 implements MigrationInterface {
  name = 'SyncState1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE sync_state (
        source text PRIMARY KEY,
        cursor text,
        last_remote_time timestamptz,
        last_attempt_at timestamptz,
        last_success_at timestamptz,
        last_error_at timestamptz,
        last_error text,
        records_pulled bigint NOT NULL DEFAULT 0
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE IF EXISTS sync_state');
  }
}
