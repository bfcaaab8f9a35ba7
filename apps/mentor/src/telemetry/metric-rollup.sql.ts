import { TELEMETRY_FIELD_COLUMNS } from '@app/contracts';

// The per-minute metric rollups (migration 1764200000000): written by ingest, read by the
// downsampled metrics query. Both sides are here so their column names cannot drift.

export const ROLLUP_SLOT_MS = 60_000;
const FIELDS = TELEMETRY_FIELD_COLUMNS.metrics;
/** Minutes are cut in UTC whatever the session's TimeZone (date_bin on timestamptz is). */
const SLOT_OF = (column: string): string =>
  `date_bin('1 minute', ${column}, timestamptz '2000-01-01 00:00:00+00')`;

/** Per field: how many samples carried it, their sum and their maximum. */
const COLUMNS = FIELDS.map((c) => `${c.name}_n, ${c.name}_sum, ${c.name}_max`).join(', ');
const AGGREGATES = FIELDS.map(
  (c) => `count(${c.name}), coalesce(sum(${c.name}::float8), 0), max(${c.name})`,
).join(', ');

/**
 * The rollup upsert fed by `source`, a relation of (deviceid, ts, <metric fields>) holding only
 * freshly stored samples (never redelivered ones). Rows are upserted in (deviceid, minute) order
 * so concurrent batches take their row locks in one order and cannot deadlock.
 */
export function upsertRollupsFrom(source: string): string {
  return `
  INSERT INTO metric_rollups AS r (deviceid, ts, samples, ${COLUMNS})
  SELECT deviceid, ${SLOT_OF('ts')}, count(*), ${AGGREGATES}
    FROM ${source}
   GROUP BY 1, 2
   ORDER BY 1, 2
  ON CONFLICT (deviceid, ts) DO UPDATE SET
    samples = r.samples + excluded.samples,
    ${FIELDS.map((c) => `${c.name}_n = r.${c.name}_n + excluded.${c.name}_n, ${c.name}_sum = r.${c.name}_sum + excluded.${c.name}_sum, ${c.name}_max = GREATEST(r.${c.name}_max, excluded.${c.name}_max)`).join(',\n    ')}`;
}

/** Rebuilds every rollup from the raw rows, minute by minute (the benchmark's bulk load). */
export const ROLLUPS_FROM_RAW = `
  INSERT INTO metric_rollups (deviceid, ts, samples, ${COLUMNS})
  SELECT deviceid, ${SLOT_OF('ts')}, count(*), ${AGGREGATES}
    FROM metrics GROUP BY 1, 2 ORDER BY 2, 1`;

/**
 * Buckets of whole minutes: $1 device, $2 from, $3 to, $4 bucket width in ms (a multiple of a
 * minute), $5 the first whole minute at or after `from`, $6 the last whole minute at or before
 * `to`, $7 the bucket origin (the minute `from` falls in). Whole minutes come from the rollups,
 * the partial minutes at either end from the raw rows, so every bucket aggregates exactly the
 * samples in its [start, end) — the same answer the raw rows give, from ~1/60 of the rows at
 * one-second sampling. Averages are sum / count; maxima are exact. Counts stay integers so no
 * step falls back to `numeric` arithmetic.
 */
export const ROLLUP_BUCKETS = `
  WITH parts AS (
    SELECT date_bin($4::float8 * interval '1 millisecond', ts, $7::timestamptz) AS bucket,
           count(*)::int AS samples,
           ${FIELDS.map((c) => `count(${c.name})::int AS ${c.name}_n, sum(${c.name}::float8) AS ${c.name}_sum, max(${c.name}) AS ${c.name}_max`).join(',\n           ')}
      FROM metrics
     WHERE deviceid = $1
       AND ((ts >= $2::timestamptz AND ts < $5::timestamptz) OR (ts >= $6::timestamptz AND ts < $3::timestamptz))
     GROUP BY 1
    UNION ALL
    SELECT date_bin($4::float8 * interval '1 millisecond', ts, $7::timestamptz),
           sum(samples)::int,
           ${FIELDS.map((c) => `sum(${c.name}_n)::int, sum(${c.name}_sum), max(${c.name}_max)`).join(',\n           ')}
      FROM metric_rollups
     WHERE deviceid = $1 AND ts >= $5::timestamptz AND ts < $6::timestamptz
     GROUP BY 1
  )
  SELECT bucket, sum(samples)::int AS samples,
         ${FIELDS.map((c) => `(sum(${c.name}_sum) / nullif(sum(${c.name}_n), 0))::float8 AS ${c.name}_avg, max(${c.name}_max)::float8 AS ${c.name}_max`).join(',\n         ')}
    FROM parts
   GROUP BY bucket
   ORDER BY bucket DESC`;
