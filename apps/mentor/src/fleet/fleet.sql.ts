// Device list, device detail and fleet summary, in one place.

/**
 * The device as the dashboard shows it, for the devices `page` selects (a subquery over
 * `devices d`, already filtered, ordered and limited); `$1` is the online window in ms.
 * Paging first keeps the per-device alert-count lookups to the rows actually returned.
 */
export function deviceViewSql(page: string): string {
  return `
  SELECT d.deviceid, d.device_name, d.device_type, d.os, d.device_location, d.ip_address,
         d.mac_address, d."current_user", d.registered_at, d.last_seen_at,
         (d.last_seen_at IS NOT NULL AND d.last_seen_at > now() - $1::float8 * interval '1 millisecond') AS online,
         d.latest_metric_at, d.latest_cpu_usage, d.latest_memory_used, d.latest_memory_total,
         COALESCE(a.counts, '{}'::jsonb) AS open_alerts
  FROM (${page}) d
  LEFT JOIN LATERAL (
    SELECT jsonb_object_agg(level, unresolved) AS counts
    FROM alert_counts c WHERE c.deviceid = d.deviceid AND c.unresolved > 0
  ) a ON true`;
}

/** Newest activity first; devices never seen sort last. */
export const DEVICE_ORDER = `ORDER BY COALESCE(d.last_seen_at, '-infinity'::timestamptz) DESC, d.deviceid DESC`;

export const FLEET_SUMMARY = `
  SELECT count(*)::int AS total,
         count(*) FILTER (WHERE last_seen_at > now() - $1::float8 * interval '1 millisecond')::int AS online
  FROM devices`;

export const ALERTS_BY_LEVEL = `
  SELECT level, sum(unresolved)::int AS n FROM alert_counts GROUP BY level`;

export const BUSIEST = `
  SELECT deviceid, device_name, latest_cpu_usage, latest_memory_used, latest_memory_total, latest_metric_at
  FROM devices
  WHERE last_seen_at > now() - $1::float8 * interval '1 millisecond' AND latest_cpu_usage IS NOT NULL
  ORDER BY latest_cpu_usage DESC, deviceid
  LIMIT $2`;
