import { outboxDownSql, outboxUpSql } from '@app/delivery';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Remote commands (created here, handed to Devices through the mentor's own outbox, which
 * this migration adds to the mentor schema) and forwarded screenshot records (images in the
 * blob store under their SHA-256).
 */
export class CommandsAndScreenshots1764100000000 implements MigrationInterface {
  name = 'CommandsAndScreenshots1764100000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of outboxUpSql()) await db.query(sql);
    await db.query(`
      CREATE TABLE commands (
        commandid uuid PRIMARY KEY,
        deviceid text NOT NULL,
        command_text text NOT NULL,
        issued_by text NOT NULL,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'delivered', 'running', 'completed', 'failed', 'expired')),
        result text,
        exit_code integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        -- when the current status was reached (devices time for forwarded states)
        status_at timestamptz NOT NULL DEFAULT now(),
        expired_by_mentor boolean NOT NULL DEFAULT false,
        delivered_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX commands_device_created_idx ON commands (deviceid, created_at DESC, commandid DESC)`,
    );
    await db.query(
      `CREATE INDEX commands_pending_expiry_idx ON commands (expires_at) WHERE status = 'pending'`,
    );
    await db.query(`
      CREATE TABLE screenshots (
        id uuid PRIMARY KEY,
        deviceid text NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        content_type text NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        size_bytes integer NOT NULL,
        sha256 text NOT NULL
      )`);
    await db.query(
      `CREATE INDEX screenshots_device_ts_idx ON screenshots (deviceid, ts DESC, id DESC)`,
    );
    await db.query(`CREATE INDEX screenshots_ts_idx ON screenshots (ts)`);
    await db.query(`CREATE INDEX screenshots_sha256_idx ON screenshots (sha256)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE IF EXISTS screenshots');
    await db.query('DROP TABLE IF EXISTS commands');
    for (const sql of outboxDownSql()) await db.query(sql);
  }
}
