import type { DataType } from '@app/contracts';

/**
 * The export feed's sources. Each record is built in SQL in the very shape the push path
 * forwards, so the mentor ingests pulled and pushed records through the same code.
 */
export interface ExportSource {
  type: DataType;
  /** Order among sources written by the same transaction. */
  rank: number;
  table: string;
  key: string;
  keyType: 'uuid' | 'text';
  record: string;
}

const TELEMETRY_RECORD = `jsonb_strip_nulls(to_jsonb(t) - 'tx' - 'received_at' - 'ts'
  || jsonb_build_object('timestamp', t.ts))`;

export const EXPORT_SOURCES: ExportSource[] = [
  {
    type: 'device',
    rank: 0,
    table: 'devices',
    key: 'deviceid',
    keyType: 'text',
    record: `jsonb_strip_nulls(to_jsonb(t) - 'tx' - 'last_seen_at')`,
  },
  {
    type: 'metrics',
    rank: 1,
    table: 'metrics',
    key: 'id',
    keyType: 'uuid',
    record: TELEMETRY_RECORD,
  },
  {
    type: 'activities',
    rank: 2,
    table: 'activities',
    key: 'id',
    keyType: 'uuid',
    record: TELEMETRY_RECORD,
  },
  {
    type: 'alerts',
    rank: 3,
    table: 'alerts',
    key: 'id',
    keyType: 'uuid',
    record: TELEMETRY_RECORD,
  },
  {
    type: 'processes',
    rank: 4,
    table: 'process_snapshots',
    key: 'deviceid',
    keyType: 'text',
    record: `jsonb_build_object('id', t.id, 'deviceid', t.deviceid, 'timestamp', t.ts, 'processes', t.processes)`,
  },
];

/**
 * Every transaction older than the oldest one still running has finished, so rows written by
 * them can never appear later: handing out only those keeps the cursor from skipping a row
 * whose transaction committed after a younger one.
 */
export const EXPORT_HORIZON = `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon, now() AS at`;

/**
 * One source's next rows after the cursor, below the horizon, at most `limit`. Rows of a
 * lower-ranked source in the cursor's transaction were already handed out; those of a
 * higher-ranked one were not.
 */
export function exportQuery(
  source: ExportSource,
  cursor: { tx: string; rank: number; key: string } | undefined,
  horizon: string,
  limit: number,
): { text: string; values: unknown[] } {
  const values: unknown[] = [horizon, limit];
  let after = 'TRUE';
  if (cursor) {
    values.push(cursor.tx);
    if (source.rank < cursor.rank) after = 't.tx > $3::xid8';
    else if (source.rank > cursor.rank) after = 't.tx >= $3::xid8';
    else {
      values.push(cursor.key);
      after = `(t.tx, t.${source.key}) > ($3::xid8, $4::${source.keyType})`;
    }
  }
  const text = `
    SELECT t.tx::text AS tx, t.${source.key}::text AS key, ${source.record} AS record
    FROM ${source.table} t
    WHERE t.tx < $1::xid8 AND ${after}
    ORDER BY t.tx, t.${source.key}
    LIMIT $2`;
  return { text, values };
}
