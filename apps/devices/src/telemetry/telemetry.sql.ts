import { telemetryColumns, type TelemetryKind } from '@app/contracts';
import { unnestInsert } from '@app/platform';

// Devices' hot-path SQL, kept in one place.

/** One statement for any number of records of a kind; returns the ids that were new. */
export function batchInsert(
  kind: TelemetryKind,
  rows: Record<string, unknown>[],
): { text: string; values: unknown[][] } {
  return unnestInsert(kind, telemetryColumns(kind), rows);
}

/** A newer snapshot replaces the device's previous one; an older or repeated one changes nothing. */
export const UPSERT_PROCESS_SNAPSHOT = `
  INSERT INTO process_snapshots (deviceid, id, ts, processes)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (deviceid) DO UPDATE
    SET id = excluded.id, ts = excluded.ts, processes = excluded.processes, received_at = now(),
        tx = pg_current_xact_id()
    WHERE process_snapshots.id <> excluded.id AND excluded.ts >= process_snapshots.ts
  RETURNING id`;
