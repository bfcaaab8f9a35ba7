import { partitionName, revertLastMigration, runMigrations, utcDay } from '@app/platform';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { createTestDatabase, dropTestDatabase } from './pg';

type MigrationClass = new () => unknown;

/** The timestamp a migration class name ends with (`PartitionedTelemetry1764300000000`). */
function timestampOf(migration: MigrationClass): number {
  return Number(/(\d{13})$/.exec(migration.name)?.[1]);
}

/**
 * A fresh database on which a service's migrations can be run up to a given one and reverted,
 * with data put in between, the way an upgrade meets an existing database.
 */
export class MigrationDatabase {
  private constructor(
    private readonly name: string,
    private readonly options: DataSourceOptions & { schema: string },
    readonly pool: Pool,
  ) {}

  static async open(
    prefix: string,
    optionsFor: (url: string) => DataSourceOptions,
  ): Promise<MigrationDatabase> {
    const db = await createTestDatabase(prefix);
    const options = optionsFor(db.url) as DataSourceOptions & { schema: string };
    const pool = new Pool({
      connectionString: db.url,
      max: 2,
      options: `-c search_path=${options.schema}`,
    });
    return new MigrationDatabase(db.name, options, pool);
  }

  /** Runs the pending migrations up to and including the one with this timestamp. */
  async migrateTo(timestamp = Number.MAX_SAFE_INTEGER): Promise<string[]> {
    const migrations = (this.options.migrations as MigrationClass[]).filter(
      (migration) => timestampOf(migration) <= timestamp,
    );
    return runMigrations({ ...this.options, migrations });
  }

  async revertLast(): Promise<void> {
    await revertLastMigration(this.options);
  }

  /**
   * What a table is: its kind (`r` plain, `p` partitioned), primary key, secondary indexes
   * (as on a plain table) and every row as JSON, ordered by id.
   */
  async describe(table: string): Promise<{
    kind: string;
    primaryKey: string;
    indexes: string[];
    rows: unknown[];
  }> {
    const { rows: kind } = await this.pool.query<{ relkind: string; pk: string }>(
      `SELECT c.relkind, pg_get_constraintdef(k.oid) AS pk
       FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
       WHERE c.oid = $1::regclass`,
      [table],
    );
    const { rows: indexes } = await this.pool.query<{ def: string }>(
      `SELECT replace(indexdef, ' ON ONLY ', ' ON ') AS def FROM pg_indexes
       WHERE schemaname = current_schema() AND tablename = $1 AND indexname <> $1 || '_pkey'
       ORDER BY indexname`,
      [table],
    );
    const { rows } = await this.pool.query<{ row: unknown }>(
      `SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY id`,
    );
    return {
      kind: kind[0].relkind,
      primaryKey: kind[0].pk,
      indexes: indexes.map((i) => i.def),
      rows: rows.map((r) => r.row),
    };
  }

  /**
   * What TypeORM's schema builder would change to make the database match the entities (the
   * statements `synchronize` would run, which stays off): none when the entities describe the
   * migrated schema exactly.
   */
  async pendingSchemaChanges(): Promise<string[]> {
    const dataSource = new DataSource({
      ...this.options,
      extra: { ...(this.options.extra as object), max: 1 },
    });
    await dataSource.initialize();
    try {
      const sql = await dataSource.driver.createSchemaBuilder().log();
      return sql.upQueries.map((query) => query.query);
    } finally {
      await dataSource.destroy();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
    await dropTestDatabase(this.name);
  }
}

const DAY_MS = 86_400_000;
const TELEMETRY_TABLES = ['metrics', 'activities', 'alerts'];

/**
 * Puts one metric, activity and alert at each of `times` (device `dev-1`) and returns where
 * each id belongs once the tables are partitioned: its day's partition, or the default
 * partition when the migration gives its day none (more than a year old).
 */
async function seedTelemetry(
  db: MigrationDatabase,
  times: number[],
  now: number,
): Promise<Map<string, string>> {
  const placed = new Map<string, string>();
  for (const time of times) {
    const ts = new Date(time).toISOString();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await db.pool.query(
      `INSERT INTO metrics (id, deviceid, ts, cpu_usage, memory_used) VALUES ($1, 'dev-1', $2, 12.5, 1024)`,
      [ids[0], ts],
    );
    await db.pool.query(
      `INSERT INTO activities (id, deviceid, ts, activity_type, app) VALUES ($1, 'dev-1', $2, 'focus', 'editor')`,
      [ids[1], ts],
    );
    await db.pool.query(
      `INSERT INTO alerts (id, deviceid, ts, level, alert_type, value) VALUES ($1, 'dev-1', $2, 'warning', 'cpu', 91)`,
      [ids[2], ts],
    );
    const day = utcDay(time);
    const hasPartition = now - day.getTime() < 366 * DAY_MS;
    TELEMETRY_TABLES.forEach((table, i) =>
      placed.set(ids[i], hasPartition ? partitionName(table, day) : `${table}_default`),
    );
  }
  return placed;
}

/**
 * The migration to partitioned telemetry on a database holding `placed` rows: every table
 * partitioned, keyed by (id, ts), with the indexes it had (`before`) and every row unchanged,
 * in the partition of its day.
 */
async function assertPartitioned(
  db: MigrationDatabase,
  before: Awaited<ReturnType<MigrationDatabase['describe']>>[],
  placed: Map<string, string>,
): Promise<void> {
  for (const [i, table] of TELEMETRY_TABLES.entries()) {
    const now = await db.describe(table);
    assert.equal(now.kind, 'p', `${table} is partitioned`);
    assert.equal(now.primaryKey, 'PRIMARY KEY (id, ts)');
    assert.deepEqual(now.indexes, before[i].indexes, `${table} keeps its index shapes`);
    assert.deepEqual(now.rows, before[i].rows, `${table} keeps every row as it was`);
    const { rows } = await db.pool.query<{ id: string; p: string }>(
      `SELECT id, tableoid::regclass::text AS p FROM ${table}`,
    );
    for (const row of rows) assert.equal(row.p, placed.get(row.id), `${table} row ${row.id}`);
  }
}

/**
 * Migration 1764300000000 (partitioned telemetry) of one service, both ways, on a fresh
 * database holding telemetry of today, 3 days ago, 500 days ago and 2 days ahead: up
 * (assertPartitioned, then `partitioned`), down (every table exactly as before, then
 * `reverted`) and up again, as a redeploy after a rollback would; then the migrations after it
 * apply, revert and apply again. `seeded` runs after the telemetry went in, to add
 * service-specific state.
 */
export async function checkPartitionMigration(
  prefix: string,
  optionsFor: (url: string) => DataSourceOptions,
  checks: {
    seeded?: (db: MigrationDatabase) => Promise<void>;
    partitioned: (db: MigrationDatabase) => Promise<void>;
    reverted?: (db: MigrationDatabase) => Promise<void>;
  },
): Promise<void> {
  const db = await MigrationDatabase.open(prefix, optionsFor);
  try {
    // Every migration before this one (the Mentor has its rollups at 1764200000000).
    await db.migrateTo(1764300000000 - 1);
    const now = Date.now();
    const times = [now, now - 3 * DAY_MS, now - 500 * DAY_MS, now + 2 * DAY_MS];
    const placed = await seedTelemetry(db, times, now);
    await checks.seeded?.(db);
    const before = await Promise.all(TELEMETRY_TABLES.map((table) => db.describe(table)));

    assert.deepEqual(await db.migrateTo(1764300000000), ['PartitionedTelemetry1764300000000']);
    await assertPartitioned(db, before, placed);
    await checks.partitioned(db);

    await db.revertLast();
    for (const [i, table] of TELEMETRY_TABLES.entries()) {
      assert.deepEqual(await db.describe(table), before[i], `${table} is back as it was`);
    }
    await checks.reverted?.(db);
    assert.deepEqual(await db.migrateTo(1764300000000), ['PartitionedTelemetry1764300000000']);

    // The migrations after it apply on top, revert one by one and apply again.
    const later = await db.migrateTo();
    for (let i = 0; i < later.length; i++) await db.revertLast();
    assert.deepEqual(await db.migrateTo(), later);
  } finally {
    await db.close();
  }
}
