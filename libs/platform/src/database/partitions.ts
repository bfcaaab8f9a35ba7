import type { ClientBase, PoolClient } from 'pg';
import { withClient, type ClientSource } from './client-source';

/**
 * Time partitioning of the telemetry tables, shared by both services (and by their migrations
 * and the bench loader), so the naming, bounds and lock discipline exist once.
 *
 * A partitioned table is `PARTITION BY RANGE (ts)` with one partition per UTC day, named
 * `<table>_pYYYYMMDD`, plus a DEFAULT partition as a safety net for rows no daily partition
 * takes (device clocks far off, days before the service first ran). Retention drops whole daily
 * partitions instead of deleting rows; only rows that sit in the default partition are deleted,
 * in short slices.
 */

export const DAY_MS = 86_400_000;
/** Days of partitions created ahead; the default of PARTITION_PREMAKE_DAYS. */
export const DEFAULT_PREMAKE_DAYS = 7;
/** The partition key of every telemetry table. */
export const PARTITION_KEY = 'ts';
/** Rows deleted per statement from the default partition and from companion tables. */
export const RETENTION_SLICE = 1000;

/** The smallest executor the read-only helpers need: a pg client or pool. */
export interface SqlClient {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface PartitionedTable {
  name: string;
  /**
   * A statement run in the transaction that removes rows by retention, just before they go (a
   * whole partition dropped, or a slice deleted from the default partition). `removed` names a
   * relation holding exactly those rows. The Mentor keeps its alert counters right with it.
   */
  onRemove?: (removed: string) => string;
}

/** An unpartitioned table whose rows follow a partitioned table's retention (pruned in slices). */
export interface RetentionCompanion {
  table: string;
  column: string;
}

export interface PartitionPolicy {
  retentionDays: number;
  premakeDays: number;
  /** How long a partition change waits for its lock before giving up until the next run. */
  lockTimeoutMs: number;
  slice?: number;
}

export interface PartitionInfo {
  name: string;
  isDefault: boolean;
  lower: Date | null;
  upper: Date | null;
}

export interface MaintenanceReport {
  /** Another replica was maintaining the partitions; this run did nothing. */
  skipped: boolean;
  created: string[];
  dropped: string[];
  /** Rows moved out of a default partition into a partition created for their day. */
  moved: number;
  /** Rows older than the retention cut-off deleted from default partitions. */
  expiredFromDefault: number;
  /** Rows deleted from companion tables. */
  companionRows: number;
  /** Rows left in each default partition after the run. */
  inDefault: Record<string, number>;
  errors: string[];
}

/** Midnight UTC of the day holding `time`. */
export function utcDay(time: Date | number): Date {
  const ms = typeof time === 'number' ? time : time.getTime();
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS);
}

export function addDays(day: Date, days: number): Date {
  return new Date(day.getTime() + days * DAY_MS);
}

/**
 * Rows older than this go: the start of the UTC day RETENTION_DAYS ago, so a row is kept at
 * least RETENTION_DAYS and at most one day longer (partitions are dropped whole).
 */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  return utcDay(now.getTime() - retentionDays * DAY_MS);
}

/** Today and the next `premakeDays` days (UTC). */
export function premadeDays(now: Date, premakeDays: number): Date[] {
  const today = utcDay(now);
  return Array.from({ length: premakeDays + 1 }, (_, i) => addDays(today, i));
}

export function partitionName(table: string, day: Date): string {
  return `${table}_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/** A bound literal that means the same instant whatever the session's TimeZone. */
function bound(day: Date): string {
  return `'${day.toISOString().slice(0, 10)} 00:00:00+00'`;
}

function forValues(day: Date): string {
  return `FOR VALUES FROM (${bound(day)}) TO (${bound(addDays(day, 1))})`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** DDL of one day's partition, for migrations (which hold every lock anyway). */
export function dailyPartitionDdl(table: string, day: Date): string {
  return `CREATE TABLE ${quoteIdent(partitionName(table, day))} PARTITION OF ${quoteIdent(table)} ${forValues(day)}`;
}

export function defaultPartitionDdl(table: string): string {
  return `CREATE TABLE ${quoteIdent(defaultPartitionName(table))} PARTITION OF ${quoteIdent(table)} DEFAULT`;
}

const RANGE_BOUND = "^FOR VALUES FROM \\('([^']+)'\\) TO \\('([^']+)'\\)$";

/**
 * The partitions of `table` (resolved through search_path) with their bounds. Bounds are read
 * back from the catalog rather than from names, so a partition someone made by hand is seen
 * for what it covers.
 */
export async function listPartitions(db: SqlClient, table: string): Promise<PartitionInfo[]> {
  const { rows } = await db.query<{
    name: string;
    is_default: boolean;
    lower: Date | null;
    upper: Date | null;
  }>(
    `SELECT c.relname AS name,
            pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default,
            b.m[1]::timestamptz AS lower,
            b.m[2]::timestamptz AS upper
     FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid), $2) AS m) b
     WHERE i.inhparent = $1::regclass
     ORDER BY b.m[1]::timestamptz NULLS FIRST`,
    [table, RANGE_BOUND],
  );
  return rows.map((r) => ({
    name: r.name,
    isDefault: r.is_default,
    lower: r.lower,
    upper: r.upper,
  }));
}

function covers(partition: PartitionInfo, day: Date): boolean {
  return (
    partition.lower !== null &&
    partition.upper !== null &&
    partition.lower.getTime() <= day.getTime() &&
    partition.upper.getTime() >= addDays(day, 1).getTime()
  );
}

async function inTransaction<T>(client: ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Creates the partition of one UTC day and returns how many rows it took over from the default
 * partition. The table is made alone and then ATTACHed, which locks the parent only in SHARE
 * UPDATE EXCLUSIVE mode (reads and writes go on); CREATE TABLE ... PARTITION OF would lock it
 * exclusively. ATTACH locks the default partition exclusively to check that none of its rows
 * belongs to the new day (PostgreSQL refuses the partition otherwise), so that lock is taken
 * first and any such rows are moved into the new table under it: no new row of that day can
 * land in the default partition in between. Queries reading the default partition wait for
 * the few milliseconds this takes. Indexes are created on attach from the parent's.
 */
export async function createDailyPartition(
  client: ClientBase,
  table: string,
  day: Date,
  defaultPartition?: string,
): Promise<number> {
  const name = quoteIdent(partitionName(table, day));
  return inTransaction(client, async () => {
    await client.query(
      `CREATE TABLE ${name} (LIKE ${quoteIdent(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    );
    let moved = 0;
    if (defaultPartition) {
      const from = quoteIdent(defaultPartition);
      await client.query(`LOCK TABLE ONLY ${from} IN ACCESS EXCLUSIVE MODE`);
      const result = await client.query(
        `WITH moved AS (
           DELETE FROM ONLY ${from} WHERE ${PARTITION_KEY} >= $1 AND ${PARTITION_KEY} < $2
           RETURNING *)
         INSERT INTO ${name} SELECT * FROM moved`,
        [day.toISOString(), addDays(day, 1).toISOString()],
      );
      moved = result.rowCount ?? 0;
    }
    await client.query(
      `ALTER TABLE ${quoteIdent(table)} ATTACH PARTITION ${name} ${forValues(day)}`,
    );
    return moved;
  });
}

/** The days of `days` no partition covers yet. */
export function uncoveredDays(partitions: PartitionInfo[], days: Date[]): Date[] {
  return days.filter((day) => !partitions.some((p) => covers(p, day)));
}

/**
 * Makes sure each of `days` has a partition; returns the ones created and the rows they took
 * over from the default partition.
 */
export async function ensureDailyPartitions(
  client: ClientBase,
  table: string,
  days: Date[],
): Promise<{ created: string[]; moved: number }> {
  const partitions = await listPartitions(client, table);
  const defaultPartition = partitions.find((p) => p.isDefault)?.name;
  const created: string[] = [];
  let moved = 0;
  for (const day of uncoveredDays(partitions, days)) {
    moved += await createDailyPartition(client, table, day, defaultPartition);
    created.push(partitionName(table, day));
  }
  return { created, moved };
}

/**
 * Drops one partition whole: no row-by-row DELETE, no VACUUM debt. DETACH ... CONCURRENTLY
 * would avoid the exclusive lock, but PostgreSQL refuses it while a default partition exists
 * (and it cannot run in a transaction, where the onRemove statement must run). So the parent is
 * locked first, explicitly: DROP would otherwise lock the partition and then the parent, which
 * can deadlock with a query holding the parent and waiting for the partition. The lock is held
 * only for the catalog change; lock_timeout bounds the wait behind a long query.
 */
export async function dropPartition(
  client: ClientBase,
  table: PartitionedTable,
  partition: string,
): Promise<void> {
  await inTransaction(client, async () => {
    await client.query(`LOCK TABLE ONLY ${quoteIdent(table.name)} IN ACCESS EXCLUSIVE MODE`);
    if (table.onRemove) await client.query(table.onRemove(quoteIdent(partition)));
    await client.query(`DROP TABLE ${quoteIdent(partition)}`);
  });
}

/**
 * Deletes rows older than `cutoff` from a default partition, `slice` rows per statement (each
 * its own short transaction; rows locked by someone else are left for the next run). Returns
 * how many went.
 */
export async function deleteExpiredFromDefault(
  client: ClientBase,
  table: PartitionedTable,
  defaultPartition: string,
  cutoff: Date,
  slice = RETENTION_SLICE,
): Promise<number> {
  const from = quoteIdent(defaultPartition);
  const hook = table.onRemove ? `, hook AS (${table.onRemove('removed')})` : '';
  const sql = `
    WITH removed AS (
      DELETE FROM ONLY ${from} WHERE ctid = ANY (ARRAY(
        SELECT ctid FROM ONLY ${from} WHERE ${PARTITION_KEY} < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))
      RETURNING *)${hook}
    SELECT count(*)::int AS n FROM removed`;
  let total = 0;
  for (;;) {
    const { rows } = await client.query<{ n: number }>(sql, [cutoff.toISOString(), slice]);
    total += rows[0].n;
    if (rows[0].n < slice) return total;
  }
}

/** Deletes a companion table's rows older than `cutoff`, `slice` per statement. */
export async function pruneCompanion(
  client: ClientBase,
  companion: RetentionCompanion,
  cutoff: Date,
  slice = RETENTION_SLICE,
): Promise<number> {
  const table = quoteIdent(companion.table);
  const sql = `
    DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
      SELECT ctid FROM ${table} WHERE ${quoteIdent(companion.column)} < $1
      LIMIT $2 FOR UPDATE SKIP LOCKED))`;
  let total = 0;
  for (;;) {
    const { rowCount } = await client.query(sql, [cutoff.toISOString(), slice]);
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < slice) return total;
  }
}

/**
 * One maintenance run for a schema's partitioned tables: partitions for today and the next
 * `premakeDays` days; a partition for every day within retention that has rows waiting in the
 * default partition (they are moved in); old partitions dropped whole; expired rows deleted
 * from the default partition; companions pruned with the same cut-off. Rows in the default
 * partition dated after the premade days stay there until their day is premade.
 *
 * Replicas take turns through an advisory lock (a run finding it taken does nothing). Every step
 * stands alone: one that fails (a lock timeout behind a long query, say) is reported and tried
 * again on the next run, and the others still happen.
 */
export async function maintainPartitions(
  source: ClientSource,
  tables: PartitionedTable[],
  companions: RetentionCompanion[],
  policy: PartitionPolicy,
  now = new Date(),
): Promise<MaintenanceReport> {
  return withClient(source, async (client) => {
    const { rows } = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtext('raqeem:partitions:' || current_schema())) AS locked`,
    );
    const run = new MaintenanceRun(client, policy, now);
    if (!rows[0].locked) return { ...run.report, skipped: true };
    try {
      await client.query(`SET lock_timeout = ${Math.round(policy.lockTimeoutMs)}`);
      for (const table of tables) {
        await run.step(`maintaining ${table.name}`, () => run.table(table));
      }
      for (const companion of companions) {
        await run.step(`pruning ${companion.table}`, async () => {
          run.report.companionRows += await pruneCompanion(
            client,
            companion,
            run.cutoff,
            run.slice,
          );
        });
      }
    } finally {
      await client.query('RESET lock_timeout');
      await client.query(
        `SELECT pg_advisory_unlock(hashtext('raqeem:partitions:' || current_schema()))`,
      );
    }
    return run.report;
  });
}

class MaintenanceRun {
  readonly report: MaintenanceReport = {
    skipped: false,
    created: [],
    dropped: [],
    moved: 0,
    expiredFromDefault: 0,
    companionRows: 0,
    inDefault: {},
    errors: [],
  };
  readonly cutoff: Date;
  readonly slice: number;

  constructor(
    private readonly client: PoolClient,
    private readonly policy: PartitionPolicy,
    private readonly now: Date,
  ) {
    this.cutoff = retentionCutoff(now, policy.retentionDays);
    this.slice = policy.slice ?? RETENTION_SLICE;
  }

  async step(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.report.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async table(table: PartitionedTable): Promise<void> {
    const { client, cutoff } = this;
    const partitions = await listPartitions(client, table.name);
    const defaultPartition = partitions.find((p) => p.isDefault)?.name;
    const days = premadeDays(this.now, this.policy.premakeDays);
    if (defaultPartition) days.push(...(await this.waitingDays(defaultPartition, days)));
    for (const day of uncoveredDays(partitions, days)) {
      await this.step(`creating ${partitionName(table.name, day)}`, async () => {
        this.report.moved += await createDailyPartition(client, table.name, day, defaultPartition);
        this.report.created.push(partitionName(table.name, day));
      });
    }
    for (const partition of partitions) {
      if (partition.isDefault || !partition.upper || partition.upper > cutoff) continue;
      await this.step(`dropping ${partition.name}`, async () => {
        await dropPartition(client, table, partition.name);
        this.report.dropped.push(partition.name);
      });
    }
    if (!defaultPartition) return;
    await this.step(`deleting expired rows from ${defaultPartition}`, async () => {
      this.report.expiredFromDefault += await deleteExpiredFromDefault(
        client,
        table,
        defaultPartition,
        cutoff,
        this.slice,
      );
    });
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ONLY ${quoteIdent(defaultPartition)}`,
    );
    this.report.inDefault[table.name] = rows[0].n;
  }

  /**
   * Days from the retention cut-off up to the premade horizon that have rows waiting in the
   * default partition (oldest first), other than `premade`.
   */
  private async waitingDays(defaultPartition: string, premade: Date[]): Promise<Date[]> {
    const { rows } = await this.client.query<{ day: Date }>(
      `SELECT DISTINCT date_trunc('day', ${PARTITION_KEY}, 'UTC') AS day
       FROM ONLY ${quoteIdent(defaultPartition)}
       WHERE ${PARTITION_KEY} >= $1 AND ${PARTITION_KEY} < $2
       ORDER BY 1`,
      [this.cutoff.toISOString(), addDays(premade[premade.length - 1], 1).toISOString()],
    );
    return rows
      .map((row) => row.day)
      .filter((day) => !premade.some((d) => d.getTime() === day.getTime()));
  }
}
