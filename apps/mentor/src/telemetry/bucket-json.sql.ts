import { TELEMETRY_FIELD_COLUMNS } from '@app/contracts';
import { ROLLUP_BUCKETS } from './metric-rollup.sql';
import { METRIC_BUCKETS } from './telemetry-query.sql';

// The downsampled metrics answer, built as JSON text by PostgreSQL and sent by the Mentor as it
// is. Otherwise Node parses every bucket's columns into numbers and Dates and JSON.stringify-s
// them again, which cost the Mentor more CPU than printing the JSON costs PostgreSQL
// (docs/query-performance.md).

/** Exactly what JavaScript's toISOString writes (UTC, milliseconds, `Z`), whatever TimeZone. */
const iso = (ts: string): string =>
  `'"' || to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`;

/**
 * One `"key":value` member. float8 prints as the shortest text that reads back as the same
 * double (extra_float_digits ≥ 1, the default, as node-postgres relied on before), which is a
 * JSON number: the values are finite, PostgreSQL raises an error where float8 arithmetic would
 * overflow. No key or value needs escaping.
 */
const member = (key: string, value: string): string =>
  `'"${key}":' || coalesce((${value})::text, 'null')`;

/** The keys of a bucket, in the order the answer has always had. */
const BUCKET = [
  `'{' || ${member('bucket', iso('greatest(b.bucket, $2::timestamptz)'))}`,
  member('samples', 'b.samples'),
  ...TELEMETRY_FIELD_COLUMNS.metrics.flatMap((c) => [
    member(`${c.name}_avg`, `b.${c.name}_avg`),
    member(`${c.name}_max`, `b.${c.name}_max`),
  ]),
  member(
    'bucket_end',
    iso(`least(b.bucket + $4::float8 * interval '1 millisecond', $3::timestamptz)`),
  ),
  `${member('bucket_seconds', '$4::float8 / 1000')} || '}'`,
].join(` || ',' || `);

/**
 * Wraps a bucket statement ($1 device, $2 from, $3 to, $4 width in ms; one row per bucket) into
 * the API's answer: one row per known device (none for an unknown one, so no separate lookup),
 * whose `body` is a JSON array, newest bucket first, of `{bucket, samples, <field>_avg,
 * <field>_max..., bucket_end, bucket_seconds}`; a field without samples is null. A bucket
 * starting before `from` (the first of a minute-aligned plan) holds only samples from `from` on,
 * so it reports `from`; the last ends at `to`. Built by concatenation: row_to_json gives the same
 * text but costs PostgreSQL a third more. The column is text, not json, which node-postgres
 * would parse.
 */
function asJsonArray(buckets: string): string {
  return `
  SELECT (SELECT coalesce('[' || string_agg(${BUCKET}, ',' ORDER BY b.bucket DESC) || ']', '[]')
            FROM (${buckets}) b) AS body
    FROM devices
   WHERE deviceid = $1`;
}

/** METRIC_BUCKETS (sub-minute buckets, raw rows) as the answer's JSON text. */
export const METRIC_BUCKETS_JSON = asJsonArray(METRIC_BUCKETS);

/** ROLLUP_BUCKETS (whole-minute buckets) as the answer's JSON text; $5–$7 as there. */
export const ROLLUP_BUCKETS_JSON = asJsonArray(ROLLUP_BUCKETS);
