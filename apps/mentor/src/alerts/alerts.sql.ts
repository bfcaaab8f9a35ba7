// Alert reads and the acknowledge/resolve workflow, in one place.

export const ALERT_COLUMNS = `id, deviceid, ts AS timestamp, received_at, level, alert_type, message, value,
  threshold, state, acknowledged_by, acknowledged_at, resolved_by, resolved_at`;

/** $1 device, $2 alert id, $3 who. Acknowledging a resolved alert changes nothing. */
export const ACKNOWLEDGE = `
  UPDATE alerts SET state = 'acknowledged', acknowledged_by = $3, acknowledged_at = now()
  WHERE deviceid = $1 AND id = $2 AND state = 'open'
  RETURNING ${ALERT_COLUMNS}`;

/** $1 device, $2 alert id, $3 who. Resolving takes the alert out of the unresolved count. */
export const RESOLVE = `
  WITH resolved AS (
    UPDATE alerts SET state = 'resolved', resolved_by = $3, resolved_at = now(),
      acknowledged_by = COALESCE(acknowledged_by, $3), acknowledged_at = COALESCE(acknowledged_at, now())
    WHERE deviceid = $1 AND id = $2 AND state <> 'resolved'
    RETURNING ${ALERT_COLUMNS}
  ), counted AS (
    UPDATE alert_counts c SET unresolved = c.unresolved - 1
    FROM resolved r WHERE c.deviceid = r.deviceid AND c.level = r.level
  )
  SELECT * FROM resolved`;

export const ALERT_BY_ID = `SELECT ${ALERT_COLUMNS} FROM alerts WHERE deviceid = $1 AND id = $2`;

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
