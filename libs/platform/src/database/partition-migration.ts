import {
  addDays,
  dailyPartitionDdl,
  DAY_MS,
  defaultPartitionDdl,
  DEFAULT_PREMAKE_DAYS,
  PARTITION_KEY,
  premadeDays,
  quoteIdent,
  utcDay,
} from './partition-layout';

/** How a migration runs SQL (TypeORM's QueryRunner fits). */
export interface MigrationSql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface TableIndex {
  name: string;
  /** The column list, e.g. `deviceid, ts DESC, id DESC`. */
  columns: string;
}

export interface TableConversion {
  table: string;
  /** Every secondary index of the table, kept with the same names and shapes. */
  indexes: TableIndex[];
  /**
   * The primary key's columns before `ts` on the partitioned table (default `id`; a unique key
   * must contain the partition key), and the whole key of the plain table (default `id`).
   */
  key?: { partitioned: string; plain: string };
  /** Columns the primary key's index carries (`INCLUDE`), for index-only reads. */
  include?: string;
}

const ID_KEY = { partitioned: 'id', plain: 'id' };

/**
 * Existing rows older than this many days are not given partitions of their own by the
 * migration (they go to the default partition, where retention deletes them or the
 * maintenance job gives them a partition if they are still within RETENTION_DAYS).
 */
const BACKFILL_DAYS = 366;

/**
 * Turns a plain table keyed by `id` (or `key`) into one partitioned by day on `ts` with the same columns,
 * defaults, CHECK constraints and indexes: rename the old table (freeing its index names),
 * create the partitioned table LIKE it, partitions for every day that has rows (up to a year
 * back) and the next days plus a default partition, copy the rows, then build the primary key
 * `(id, ts)` (a unique key must contain the partition key) and the indexes once, after the
 * copy, which is much faster than maintaining them row by row. The old table is dropped.
 */
export async function convertToPartitioned(
  db: MigrationSql,
  { table, indexes, key = ID_KEY, include }: TableConversion,
  now = new Date(),
): Promise<void> {
  const name = quoteIdent(table);
  const old = await setAside(db, { table, indexes }, 'unpartitioned');
  await db.query(
    `CREATE TABLE ${name} (LIKE ${old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
     PARTITION BY RANGE (${PARTITION_KEY})`,
  );
  await db.query(defaultPartitionDdl(table));
  const days = premadeDays(now, DEFAULT_PREMAKE_DAYS);
  const rows = (await db.query(
    `SELECT DISTINCT date_trunc('day', ${PARTITION_KEY}, 'UTC') AS day FROM ${old}
     WHERE ${PARTITION_KEY} >= $1 AND ${PARTITION_KEY} < $2`,
    [
      new Date(utcDay(now).getTime() - BACKFILL_DAYS * DAY_MS).toISOString(),
      addDays(days[days.length - 1], 1).toISOString(),
    ],
  )) as { day: Date }[];
  for (const { day } of rows) {
    if (!days.some((d) => d.getTime() === day.getTime())) days.push(day);
  }
  for (const day of days) await db.query(dailyPartitionDdl(table, day));
  await fillAndIndex(db, { table, indexes, include }, old, `${key.partitioned}, ${PARTITION_KEY}`);
}

/** The reverse of convertToPartitioned: one plain table keyed by `id` (or `key`), the same indexes. */
export async function convertToPlain(
  db: MigrationSql,
  { table, indexes, key = ID_KEY, include }: TableConversion,
): Promise<void> {
  const partitioned = await setAside(db, { table, indexes }, 'partitioned');
  await db.query(
    `CREATE TABLE ${quoteIdent(table)} (LIKE ${partitioned} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
  );
  // A duplicate id (impossible while ingest deduplicates by id) fails the primary key rather
  // than being dropped silently.
  await fillAndIndex(db, { table, indexes, include }, partitioned, key.plain);
}

/**
 * Renames a table to `<table>_<suffix>` and drops its primary key and indexes, so the table
 * that replaces it can take their names. Returns the new name, quoted.
 */
async function setAside(
  db: MigrationSql,
  { table, indexes }: TableConversion,
  suffix: string,
): Promise<string> {
  const aside = quoteIdent(`${table}_${suffix}`);
  await db.query(`ALTER TABLE ${quoteIdent(table)} RENAME TO ${aside}`);
  await db.query(`ALTER TABLE ${aside} DROP CONSTRAINT ${quoteIdent(`${table}_pkey`)}`);
  for (const index of indexes) await db.query(`DROP INDEX ${quoteIdent(index.name)}`);
  return aside;
}

/** Copies the rows over, then builds the key and indexes once and drops the old table. */
async function fillAndIndex(
  db: MigrationSql,
  { table, indexes, include }: TableConversion,
  from: string,
  primaryKey: string,
): Promise<void> {
  const name = quoteIdent(table);
  await db.query(`INSERT INTO ${name} SELECT * FROM ${from}`);
  const covering = include ? ` INCLUDE (${include})` : '';
  await db.query(`ALTER TABLE ${name} ADD PRIMARY KEY (${primaryKey})${covering}`);
  for (const index of indexes) {
    await db.query(`CREATE INDEX ${quoteIdent(index.name)} ON ${name} (${index.columns})`);
  }
  await db.query(`DROP TABLE ${from}`);
}
