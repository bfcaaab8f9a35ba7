import type { BaseConfig } from '../config/base.config';
import type {
  PartitionedTable,
  PartitionPolicy,
  RetentionCompanion,
} from '../database/partition-layout';

export const PARTITION_MAINTENANCE = Symbol('PARTITION_MAINTENANCE');

export interface PartitionMaintenanceOptions {
  tables: PartitionedTable[];
  companions: RetentionCompanion[];
  policy: PartitionPolicy;
  intervalMs: number;
}

/** The job's settings from the variables both services share. */
export function partitionMaintenanceOptions(
  config: BaseConfig,
  tables: PartitionedTable[],
  companions: RetentionCompanion[] = [],
): PartitionMaintenanceOptions {
  return {
    tables,
    companions,
    policy: {
      retentionDays: config.RETENTION_DAYS,
      premakeDays: config.PARTITION_PREMAKE_DAYS,
      lockTimeoutMs: config.PARTITION_LOCK_TIMEOUT,
    },
    intervalMs: config.RETENTION_INTERVAL,
  };
}
