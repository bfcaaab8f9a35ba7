import { TELEMETRY_FIELD_COLUMNS, telemetryColumns, type TelemetryKind } from '@app/contracts';
import { unnestInsert } from '@app/platform';
import { upsertRollupsFrom } from '../telemetry/metric-rollup.sql';

// The mentor's ingest SQL, kept in one place. Every statement is idempotent: a redelivered
// record changes nothing, and latest-state data is applied only when newer.

/**
 * The telemetry tables are partitioned by `ts`, so their key is `(id, ts)`. A forwarded record
 * always carries the id and ts Devices stored it with (Devices keeps one row per id), so a
 * redelivery conflicts and changes nothing, and RETURNING names only the new records.
 */
export function insertRecords(
  kind: TelemetryKind,
  rows: Record<string, unknown>[],
): { text: string; values: unknown[][] } {
  return unnestInsert(kind, telemetryColumns(kind), rows, ['id', 'ts']);
}

/**
 * Telemetry may arrive before its device's registration (different topics travel in parallel),
 * so a bare device row is created on first sight; last-seen moves forward only, and never past
 * the mentor's clock.
 */
export const TOUCH_DEVICES = `
  INSERT INTO devices (deviceid, last_seen_at)
  SELECT v.deviceid, LEAST(v.seen, now()) FROM unnest($1::text[], $2::timestamptz[]) AS v(deviceid, seen)
  ON CONFLICT (deviceid) DO UPDATE
    SET last_seen_at = GREATEST(devices.last_seen_at, excluded.last_seen_at)`;

/** Device facts are applied only when newer than what the mentor holds. */
export const UPSERT_DEVICE = `
  INSERT INTO devices (deviceid, device_name, device_type, os, device_location, ip_address, mac_address,
                       "current_user", registered_at, info_updated_at, last_seen_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, LEAST($10::timestamptz, now()))
  ON CONFLICT (deviceid) DO UPDATE SET
    device_name = excluded.device_name,
    device_type = excluded.device_type,
    os = excluded.os,
    device_location = excluded.device_location,
    ip_address = excluded.ip_address,
    mac_address = excluded.mac_address,
    "current_user" = excluded."current_user",
    registered_at = excluded.registered_at,
    info_updated_at = excluded.info_updated_at,
    last_seen_at = GREATEST(devices.last_seen_at, excluded.last_seen_at)
  WHERE devices.info_updated_at IS NULL OR excluded.info_updated_at > devices.info_updated_at
  RETURNING deviceid`;

export const UPSERT_PROCESS_SNAPSHOT = `
  INSERT INTO process_snapshots (deviceid, id, ts, processes)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (deviceid) DO UPDATE
    SET id = excluded.id, ts = excluded.ts, processes = excluded.processes, received_at = now()
    WHERE process_snapshots.id <> excluded.id AND excluded.ts >= process_snapshots.ts
  RETURNING id`;

const METRIC_FIELDS = TELEMETRY_FIELD_COLUMNS.metrics;
/** The metric field names, in the order METRICS_TAIL takes their arrays ($4 on). */
export const METRIC_FIELD_NAMES = METRIC_FIELDS.map((c) => c.name);

/**
 * What a metrics batch changes besides its rows, as one statement run last in its transaction:
 * the fresh samples are added to their minutes' rollups, then each device row gets its last
 * seen time and its newest sample (older arrivals never overwrite it). These are the rows every
 * concurrent batch of the same devices also locks, until it commits; in one statement at the
 * end, the wait between batches is that statement and the commit, not four round trips (a long
 * drain spent about as many samples waiting on rollup row locks as inserting the records).
 * Rollups go first, forced by the device insert reading their count, and the device rows last,
 * sorted: every batch takes its locks in one order, the hottest (every batch locks every device
 * it carries) for the shortest time.
 * $1 deviceids, $2 timestamps, $3 whether each row was freshly stored, then one array per field.
 */
export const METRICS_TAIL = `
  WITH v AS (
    SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bool[],
      ${METRIC_FIELDS.map((c, i) => `$${i + 4}::${c.pgType}[]`).join(', ')})
      WITH ORDINALITY AS v(deviceid, ts, fresh, ${METRIC_FIELD_NAMES.join(', ')}, n)
  ), rollups AS (
    ${upsertRollupsFrom('v WHERE fresh')}
    RETURNING 1
  ), newest AS (
    SELECT DISTINCT ON (deviceid) deviceid, ts, cpu_usage, memory_used, memory_total
    FROM v ORDER BY deviceid, ts DESC, n DESC
  )
  INSERT INTO devices AS d (deviceid, last_seen_at, latest_metric_at, latest_cpu_usage,
                            latest_memory_used, latest_memory_total)
  SELECT deviceid, LEAST(ts, now()), ts, cpu_usage, memory_used, memory_total
  FROM newest WHERE (SELECT count(*) FROM rollups) >= 0
  ORDER BY deviceid
  ON CONFLICT (deviceid) DO UPDATE SET
    last_seen_at = GREATEST(d.last_seen_at, excluded.last_seen_at),
    ${['latest_metric_at', 'latest_cpu_usage', 'latest_memory_used', 'latest_memory_total']
      .map(
        (column) =>
          `${column} = CASE WHEN d.latest_metric_at IS NULL OR excluded.latest_metric_at >= d.latest_metric_at THEN excluded.${column} ELSE d.${column} END`,
      )
      .join(',\n    ')}`;

/** New unresolved alerts per device and level ($1 devices, $2 levels, $3 counts). */
export const COUNT_NEW_ALERTS = `
  INSERT INTO alert_counts (deviceid, level, unresolved)
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
  ON CONFLICT (deviceid, level) DO UPDATE SET unresolved = alert_counts.unresolved + excluded.unresolved`;
