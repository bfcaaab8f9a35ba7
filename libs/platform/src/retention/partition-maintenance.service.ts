import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { SqlPool } from '../database/sql-pool';
import { type MaintenanceReport } from '../database/partition-layout';
import { maintainPartitions } from '../database/partition-maintainer';
import { PeriodicTask } from '../jobs/periodic-task';
import { MetricsService } from '../metrics/metrics.service';
import {
  PARTITION_MAINTENANCE,
  type PartitionMaintenanceOptions,
} from './partition-maintenance.options';

/**
 * Keeps the telemetry partitions in shape: at start and every RETENTION_INTERVAL it creates
 * the partitions of the next PARTITION_PREMAKE_DAYS days, drops those past RETENTION_DAYS, and
 * handles rows that landed in the default partition (see maintainPartitions).
 */
@Injectable()
export class PartitionMaintenanceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PartitionMaintenanceService.name);
  private readonly task = new PeriodicTask('Partition maintenance', () => this.run(), this.logger);
  private readonly inDefault;

  constructor(
    @Inject(PARTITION_MAINTENANCE) private readonly options: PartitionMaintenanceOptions,
    private readonly pool: SqlPool,
    metrics: MetricsService,
  ) {
    this.inDefault = metrics.gauge(
      'partition_default_rows',
      'Rows in the default partition of a time-partitioned table (no daily partition took them)',
      ['table'],
    );
  }

  async run(now = new Date()): Promise<MaintenanceReport> {
    const { tables, companions, policy } = this.options;
    const report = await maintainPartitions(this.pool, tables, companions, policy, now);
    if (report.skipped) return report;
    for (const [table, rows] of Object.entries(report.inDefault)) {
      this.inDefault.set({ table }, rows);
    }
    const done = [
      report.created.length > 0 && `created ${report.created.join(', ')}`,
      report.dropped.length > 0 && `dropped ${report.dropped.join(', ')}`,
      report.moved > 0 && `moved ${report.moved} row(s) out of default partitions`,
      report.expiredFromDefault > 0 &&
        `deleted ${report.expiredFromDefault} expired row(s) from default partitions`,
      report.companionRows > 0 && `pruned ${report.companionRows} record id(s)`,
    ].filter(Boolean);
    if (done.length > 0) this.logger.log(`Partitions: ${done.join('; ')}`);
    const waiting = Object.entries(report.inDefault).filter(([, rows]) => rows > 0);
    if (waiting.length > 0) {
      this.logger.warn(
        `Rows dated beyond the premade partitions wait in default partitions: ${waiting
          .map(([table, rows]) => `${table} ${rows}`)
          .join(', ')}`,
      );
    }
    for (const error of report.errors) this.logger.warn(`Partition maintenance: ${error}`);
    return report;
  }

  onApplicationBootstrap(): void {
    this.task.start(this.options.intervalMs, 0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }
}
