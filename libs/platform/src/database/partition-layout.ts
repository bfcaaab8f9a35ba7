/**
 * Time partitioning of the telemetry tables, shared by both services (and by their migrations
 * and the bench loader), so the naming, bounds and lock discipline exist once.
 *
 * A partitioned table is `PARTITION BY RANGE (ts)` with one partition per UTC day, named
 * `<table>_pYYYYMMDD`, plus a DEFAULT partition as a safety net for rows no daily partition
 * takes (device clocks far off, days before the service first ran). Retention drops whole daily
 * partitions instead of deleting rows; only rows that sit in the default partition are deleted,
 * in short slices.
 *
 * This file: the names, bounds and shapes; partitions.ts: the statements; partition-maintainer.ts:
 * one maintenance run.
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

export function forValues(day: Date): string {
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
