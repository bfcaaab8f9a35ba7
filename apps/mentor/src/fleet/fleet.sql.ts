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

/** The telemetry rate is measured over this many whole minutes before the current one. */
export const RATE_MINUTES = 5;

/**
 * Metric samples timestamped in the last RATE_MINUTES whole minutes ($1), from the per-minute
 * rollups: one short index range per device on their (deviceid, ts) key, where a scan of the
 * rollups by time alone would read every device's history.
 */
export const RECENT_SAMPLES = `
  SELECT coalesce(sum(r.samples), 0)::int8 AS samples,
         date_trunc('minute', now()) - $1::int * interval '1 minute' AS since,
         date_trunc('minute', now()) AS until
    FROM devices d
    CROSS JOIN LATERAL (
      SELECT samples FROM metric_rollups r
       WHERE r.deviceid = d.deviceid
         AND r.ts >= date_trunc('minute', now()) - $1::int * interval '1 minute'
         AND r.ts < date_trunc('minute', now())
    ) r`;

/**
 * Sparklines of the devices $1 (text[]): the per-minute rollups of `[$3, $4)` in buckets of $2
 * ms from $3, as (device, bucket index, mean CPU, mean memory used in % of the largest total).
 * One small index range per device, aggregated in memory; empty buckets give no row.
 */
export const SPARKLINES = `
  SELECT d.deviceid, b.i, b.cpu, b.mem
    FROM unnest($1::text[]) AS d(deviceid)
   CROSS JOIN LATERAL (
     SELECT floor((date_part('epoch', r.ts) - date_part('epoch', $3::timestamptz)) * 1000 / $2::float8)::int AS i,
            sum(r.cpu_usage_sum) / nullif(sum(r.cpu_usage_n), 0) AS cpu,
            100 * (sum(r.memory_used_sum) / nullif(sum(r.memory_used_n), 0))
                / nullif(max(r.memory_total_max), 0) AS mem
       FROM metric_rollups r
      WHERE r.deviceid = d.deviceid AND r.ts >= $3::timestamptz AND r.ts < $4::timestamptz
      GROUP BY 1
   ) b`;
