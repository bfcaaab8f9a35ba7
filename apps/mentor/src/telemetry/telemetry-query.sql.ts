import { TELEMETRY_FIELD_COLUMNS } from '@app/contracts';

// Per-device telemetry reads, in one place. Lists are newest first and ride the
// (deviceid, ts DESC, id DESC) indexes; downsampling is done by PostgreSQL, not in Node.

const METRIC_FIELDS = TELEMETRY_FIELD_COLUMNS.metrics.map((c) => c.name);

export const METRIC_COLUMNS = `id, deviceid, ts AS timestamp, received_at, ${METRIC_FIELDS.join(', ')}`;
export const ACTIVITY_COLUMNS = `id, deviceid, ts AS timestamp, received_at, activity_type, description, app, duration`;

/**
 * $1 device, $2 from, $3 to, $4 bucket width in ms. `date_bin` with the range start as origin
 * gives at most `points` buckets over [from, to); each carries the sample count and, per
 * field, the average and the maximum (so a short spike survives downsampling). Maxima come back
 * as float8, exact for every counter up to 2^53, so no bigint strings reach Node. Used for
 * buckets shorter than a minute; longer ones read the rollups (metric-rollup.sql.ts).
 */
export const METRIC_BUCKETS = `
  SELECT date_bin($4::float8 * interval '1 millisecond', ts, $2::timestamptz) AS bucket,
         count(*)::int AS samples,
         ${METRIC_FIELDS.map((f) => `avg(${f})::float8 AS ${f}_avg, max(${f})::float8 AS ${f}_max`).join(',\n         ')}
  FROM metrics
  WHERE deviceid = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz
  GROUP BY bucket
  ORDER BY bucket DESC`;

export const METRIC_BIGINT_FIELDS = TELEMETRY_FIELD_COLUMNS.metrics
  .filter((c) => c.pgType === 'int8')
  .map((c) => c.name);

export const PROCESS_SNAPSHOT = `SELECT id, deviceid, ts AS timestamp, received_at, processes FROM process_snapshots WHERE deviceid = $1`;
