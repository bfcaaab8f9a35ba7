import type { ClientBase } from 'pg';
import {
  PARTITION_KEY,
  RETENTION_SLICE,
  type SqlClient,
  type PartitionedTable,
  type RetentionCompanion,
  type PartitionInfo,
  addDays,
  forValues,
  partitionName,
  quoteIdent,
} from './partition-layout';

/** The statements that list, create, fill and drop partitions (see partition-layout.ts). */

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
