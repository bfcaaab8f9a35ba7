// Alert reads and the retention hook; the acknowledge/resolve workflow uses AlertEntity.

export const ALERT_COLUMNS = `id, deviceid, ts AS timestamp, received_at, level, alert_type, message, value,
  threshold, state, acknowledged_by, acknowledged_at, resolved_by, resolved_at`;

/**
 * Retention removes alerts (a dropped partition, or a slice of the default partition); the
 * unresolved ones among them leave the counters. `removed` names a relation holding exactly
 * the removed rows, read in the transaction that removes them.
 */
export const UNCOUNT_REMOVED_ALERTS = (removed: string): string => `
  UPDATE alert_counts c SET unresolved = c.unresolved - r.n
  FROM (SELECT deviceid, level, count(*)::int AS n FROM ${removed}
        WHERE state <> 'resolved' GROUP BY deviceid, level) r
  WHERE c.deviceid = r.deviceid AND c.level = r.level`;
