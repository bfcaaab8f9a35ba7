import { convertToPartitioned, convertToPlain, type TableConversion } from '@app/platform';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLUP_INCLUDE } from './1764200000000-metric-rollups';

/** The telemetry tables with their indexes as the earlier migrations made them. */
export const MENTOR_TELEMETRY_TABLES: TableConversion[] = [
  {
    table: 'metrics',
    indexes: [{ name: 'metrics_device_ts_idx', columns: 'deviceid, ts DESC, id DESC' }],
  },
  {
    table: 'activities',
    indexes: [{ name: 'activities_device_ts_idx', columns: 'deviceid, ts DESC, id DESC' }],
  },
  {
    table: 'alerts',
    indexes: [
      { name: 'alerts_device_ts_idx', columns: 'deviceid, ts DESC, id DESC' },
      { name: 'alerts_ts_idx', columns: 'ts DESC, id DESC' },
    ],
  },
  // One row per device and minute (1764200000000), dropped by day with the samples it sums.
  {
    table: 'metric_rollups',
    indexes: [],
    key: { partitioned: 'deviceid', plain: 'deviceid, ts' },
    include: ROLLUP_INCLUDE,
  },
];

/**
 * Retention at scale: metrics, activities, alerts and the metric rollups become partitioned by
 * day on `ts` (see
 * libs/platform/src/database/partitions.ts), so RETENTION_DAYS drops whole partitions. Their
 * primary key becomes `(id, ts)`. A forwarded record always carries the `id` and `ts` Devices
 * stored it with (Devices keeps one row per id), so `ON CONFLICT (id, ts) DO NOTHING` still
 * absorbs every redelivery.
 */
export class PartitionedTelemetry1764300000000 implements MigrationInterface {
  name = 'PartitionedTelemetry1764300000000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of MENTOR_TELEMETRY_TABLES) await convertToPartitioned(db, table);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of MENTOR_TELEMETRY_TABLES) await convertToPlain(db, table);
  }
}
