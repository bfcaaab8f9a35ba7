import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One current token per device, stored only as its SHA-256. A separate table (not columns on
 * `devices`) keeps the hash out of every `SELECT * FROM devices`. Revoking deletes the row.
 */
export class DeviceTokens1764000000000 implements MigrationInterface {
  name = 'DeviceTokens1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE device_tokens (
        deviceid text PRIMARY KEY REFERENCES devices (deviceid) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        issued_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE IF EXISTS device_tokens');
  }
}
