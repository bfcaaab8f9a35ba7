import type { PoolClient } from 'pg';
import { withClient, type ClientSource } from './client-source';
import {
  PARTITION_KEY,
  RETENTION_SLICE,
  type PartitionedTable,
  type RetentionCompanion,
  type PartitionPolicy,
  type MaintenanceReport,
  addDays,
  retentionCutoff,
  premadeDays,
  partitionName,
  quoteIdent,
} from './partition-layout';
import {
  listPartitions,
  createDailyPartition,
  uncoveredDays,
  dropPartition,
  deleteExpiredFromDefault,
  pruneCompanion,
} from './partitions';

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
