import { telemetryColumns, type TelemetryKind } from '@app/contracts';
import { quotedColumns, unnestArrays, unnestValues } from '@app/platform';

// Devices' hot-path SQL, kept in one place.

const BATCH_INSERT = new Map<TelemetryKind, string>();

/**
 * One statement for any number of records of a kind; returns the ids that were new.
 *
 * The telemetry tables are partitioned by `ts` and keyed by `(id, ts)`, but a retry of a record
 * without a device timestamp carries another `ts` (its receive time). So every id is claimed in
 * `record_ids` (keyed by id and kind) in the same statement, and only the records whose claim
 * is new are stored: the same id twice stores one record, whatever its `ts`. Within one batch
 * the first occurrence of an id wins. Claims are taken in id order, so two concurrent batches
 * sharing ids wait on each other instead of deadlocking.
 */
export function batchInsert(
  kind: TelemetryKind,
  rows: Record<string, unknown>[],
): { text: string; values: unknown[][] } {
  const columns = telemetryColumns(kind);
  let text = BATCH_INSERT.get(kind);
  if (!text) {
    text = `
      WITH input AS (
        SELECT * FROM unnest(${unnestArrays(columns)}) WITH ORDINALITY AS r(${quotedColumns(columns)}, ord)
      ), claimed AS (
        INSERT INTO record_ids (id, kind, ts)
        SELECT DISTINCT ON (id) id, '${kind}', ts FROM input ORDER BY id, ord
        ON CONFLICT (id, kind) DO NOTHING
        RETURNING id
      )
      INSERT INTO ${kind} (${quotedColumns(columns)})
      SELECT DISTINCT ON (i.id) ${quotedColumns(columns, 'i.')}
      FROM input i JOIN claimed c ON c.id = i.id
      ORDER BY i.id, i.ord
      ON CONFLICT (id, ts) DO NOTHING
      RETURNING id`;
    BATCH_INSERT.set(kind, text);
  }
  return { text, values: unnestValues(columns, rows) };
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
