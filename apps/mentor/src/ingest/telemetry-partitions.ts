import type { PartitionedTable } from '@app/platform';
import { UNCOUNT_REMOVED_ALERTS } from '../alerts/alerts.sql';

/**
 * The Mentor's tables partitioned by day (migration 1764300000000-partitioned-telemetry).
 * Alerts removed by retention leave the unresolved counters in the same transaction.
 */
export const MENTOR_PARTITIONED_TABLES: PartitionedTable[] = [
  { name: 'metrics' },
  { name: 'activities' },
  { name: 'alerts', onRemove: UNCOUNT_REMOVED_ALERTS },
  { name: 'metric_rollups' },
];
