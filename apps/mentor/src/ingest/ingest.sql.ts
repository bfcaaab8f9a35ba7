import { telemetryColumns, type TelemetryKind } from '@app/contracts';
import { unnestInsert } from '@app/platform';

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

/** The newest sample per device is kept on the device row (older arrivals never overwrite it). */
export const UPDATE_LATEST_METRIC = `
  UPDATE devices d SET latest_metric_at = v.ts, latest_cpu_usage = v.cpu,
    latest_memory_used = v.used, latest_memory_total = v.total
  FROM unnest($1::text[], $2::timestamptz[], $3::float8[], $4::int8[], $5::int8[])
    AS v(deviceid, ts, cpu, used, total)
  WHERE d.deviceid = v.deviceid AND (d.latest_metric_at IS NULL OR v.ts >= d.latest_metric_at)`;

/** New unresolved alerts per device and level ($1 devices, $2 levels, $3 counts). */
export const COUNT_NEW_ALERTS = `
  INSERT INTO alert_counts (deviceid, level, unresolved)
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
  ON CONFLICT (deviceid, level) DO UPDATE SET unresolved = alert_counts.unresolved + excluded.unresolved`;
