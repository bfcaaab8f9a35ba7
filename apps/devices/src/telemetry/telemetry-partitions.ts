import { TELEMETRY_KINDS } from '@app/contracts';
import type { PartitionedTable, RetentionCompanion } from '@app/platform';

/** Devices' tables partitioned by day (migration 1764300000000-partitioned-telemetry). */
export const DEVICES_PARTITIONED_TABLES: PartitionedTable[] = TELEMETRY_KINDS.map((name) => ({
  name,
}));

/**
 * The ids that keep ingest idempotent (see ingestStatement in telemetry.sql.ts) follow the records' retention: once a
 * record's partition is gone, its id is forgotten too.
 */
export const DEVICES_RETENTION_COMPANIONS: RetentionCompanion[] = [
  { table: 'record_ids', column: 'ts' },
];
