import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The mentor's central copy. Records keep their devices-side ids. */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(db: QueryRunner): Promise<void> {
    // A device row may be created by its first telemetry, before its registration arrives;
    // `info_updated_at` then stays NULL until device facts are applied.
    await db.query(`
      CREATE TABLE devices (
        deviceid text PRIMARY KEY,
        device_name text,
        device_type text,
        os text,
        device_location text,
        ip_address text,
        mac_address text,
        "current_user" text,
        registered_at timestamptz,
        info_updated_at timestamptz,
        last_seen_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX devices_last_seen_idx ON devices (last_seen_at DESC)`);
    await db.query(`
      CREATE TABLE metrics (
        id uuid PRIMARY KEY,
        deviceid text NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        cpu_usage double precision,
        cpu_temp double precision,
        memory_total bigint,
        memory_used bigint,
        swap_used bigint,
        disk_total bigint,
        disk_used bigint,
        net_bytes_in bigint,
        net_bytes_out bigint
      )`);
    await db.query(`CREATE INDEX metrics_device_ts_idx ON metrics (deviceid, ts DESC, id DESC)`);
    await db.query(`
      CREATE TABLE activities (
        id uuid PRIMARY KEY,
        deviceid text NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        activity_type text NOT NULL,
        description text,
        app text,
        duration double precision
      )`);
    await db.query(
      `CREATE INDEX activities_device_ts_idx ON activities (deviceid, ts DESC, id DESC)`,
    );
    await db.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY,
        deviceid text NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        level text NOT NULL,
        alert_type text NOT NULL,
        message text,
        value double precision,
        threshold double precision
      )`);
    await db.query(`CREATE INDEX alerts_device_ts_idx ON alerts (deviceid, ts DESC, id DESC)`);
    await db.query(`
      CREATE TABLE process_snapshots (
        deviceid text PRIMARY KEY,
        id uuid NOT NULL,
        ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processes jsonb NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['process_snapshots', 'alerts', 'activities', 'metrics', 'devices']) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
