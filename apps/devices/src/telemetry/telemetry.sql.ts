import {
  RECORD_IDENTITY_COLUMNS,
  TELEMETRY_FIELD_COLUMNS,
  type TelemetryKind,
} from '@app/contracts';
import { bundleRequestIdSql, insertMessagesFrom } from '@app/delivery';
import { TELEMETRY_EVENT } from '../webhooks/webhook-event-types';
import { telemetryEventCtes } from '../webhooks/webhooks.sql';

// Devices' hot-path SQL, kept in one place.

const INGEST_SQL = new Map<string, string>();

/**
 * One statement for any number of records of a kind and, when the kind is forwarded, their
 * outbox rows: the records travel as one JSON array of their forwarded payloads ($1, wire
 * names: `timestamp` is stored as `ts`), so Node serialises the batch once (no array literal
 * per column) and the payload column is the very element that was stored. Being one statement
 * it is one round trip and one implicit transaction: rows and outbox rows commit together, and
 * the caller answers after that commit. Ids must be unique within $1.
 *
 * The telemetry tables are partitioned by `ts`, and a retry of a record without a device
 * timestamp carries another `ts` (its receive time), so no key of theirs could hold the
 * one-record-per-id rule. Every id is claimed in `record_ids` (keyed by id and kind) in the same
 * statement instead, and only the records whose claim is new are stored and queued: the same
 * id twice stores one record, whatever its `ts` (and the tables carry no key of their own; see
 * migration 1764500000000). Claims
 * are taken in id order, so two concurrent batches sharing ids wait on each other instead of
 * deadlocking. Returns the ids that were not new (usually none: a row per stored id cost both
 * sides more than the answer is worth).
 *
 * $1 is UTF-8 bytes (bytea) rather than text: a Buffer lives outside V8's heap, whereas a
 * string of a large group lands in its large-object space and, once a scavenge sees it alive
 * during the statement, stays there until the next full GC (the Devices heap kept growing under
 * 100-record batches).
 *
 * The stored records are queued as bundles (one outbox row per $5 of them, in $1's order)
 * rather than one row each: an outbox row costs PostgreSQL about as much as the record itself,
 * once at ingest and twice more at delivery (claim, delete). The bundles are in the delivery
 * engine's format (libs/delivery/src/outbox-bundle.ts), request ids included.
 *
 * $2 channel, $3 topic, $4 the request id of each record (text[], in $1's order), $5 records
 * per bundle at most.
 *
 * With `webhooks` (an endpoint subscribes to the kind's event; without one the statement is
 * exactly as if webhooks did not exist), the statement also writes one webhook event per
 * request that stored a record, and its outbox rows: parameters after the forwarding ones (see
 * telemetryEventCtes).
 */
export function ingestStatement(kind: TelemetryKind, forwarded: boolean, webhooks = false): string {
  const key = `${kind}:${forwarded}:${webhooks}`;
  let text = INGEST_SQL.get(key);
  if (text) return text;
  const columns = [...RECORD_IDENTITY_COLUMNS, ...TELEMETRY_FIELD_COLUMNS[kind]];
  const wire = (name: string): string => (name === 'ts' ? '"timestamp"' : `"${name}"`);
  const recordType = columns.map((c) => `${wire(c.name)} ${c.pgType}`).join(', ');
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const values = columns.map((c) => `r.${wire(c.name)}`).join(', ');
  // Every record of the group new and the group within one bundle (the common case): the
  // bundle is the input text as it stands. Otherwise the stored records' elements are taken
  // out of the input and aggregated again, $5 per bundle. The group's two counts are taken once
  // and gate both branches, so PostgreSQL runs only one of them.
  const whole = `c.records > 0 AND c.kept = c.records AND c.records <= $5`;
  // The group's records and how many of them were new: the forwarded bundle's and the webhook
  // events' fast paths both turn on them.
  const counts =
    forwarded || webhooks
      ? `, counts AS (
       SELECT (SELECT count(*) FROM input) AS records, (SELECT count(*) FROM stored) AS kept
     )`
      : '';
  const queued = forwarded
    ? `, queued AS (${insertMessagesFrom(
        `SELECT $2, $3, (SELECT id::text FROM input WHERE n = 1), d,
           (SELECT ${bundleRequestIdSql('r')} FROM unnest($4::text[]) AS r),
           c.records::int
         FROM doc, counts c WHERE ${whole}
         UNION ALL
         SELECT $2, $3, (array_agg(s.id::text ORDER BY i.n))[1], json_agg(e.payload ORDER BY i.n),
           ${bundleRequestIdSql('($4::text[])[i.n]')},
           count(*)::int
         FROM stored s JOIN input i ON i.id = s.id
           JOIN (SELECT e.payload, e.n FROM doc, json_array_elements(doc.d) WITH ORDINALITY
                 AS e(payload, n)) e ON e.n = i.n
         WHERE NOT (SELECT ${whole} FROM counts c)
         GROUP BY (i.n - 1) / $5`,
        true,
      )})`
    : '';
  // json, not jsonb: the records are read once, straight into typed columns, and the bundle
  // keeps the text (building jsonb of the group was most of PostgreSQL's parse cost).
  text = `WITH doc AS MATERIALIZED (
       SELECT convert_from($1, 'UTF8')::json AS d
     ), input AS (
       SELECT r.*, r.ordinality AS n
       FROM doc, ROWS FROM (json_to_recordset(doc.d) AS (${recordType})) WITH ORDINALITY AS r
     ), claimed AS (
       INSERT INTO record_ids (id, kind, ts)
       SELECT id, '${kind}', "timestamp" FROM input ORDER BY id
       ON CONFLICT (id, kind) DO NOTHING
       RETURNING id
     ), stored AS (
       INSERT INTO ${kind} (${names})
       SELECT ${values} FROM input r JOIN claimed c ON c.id = r.id
       RETURNING id
     )${counts}${queued}${webhooks ? telemetryEventCtes(TELEMETRY_EVENT[kind], forwarded ? 6 : 2) : ''}
     SELECT i.id FROM input i WHERE NOT EXISTS (SELECT FROM stored s WHERE s.id = i.id)`;
  INGEST_SQL.set(key, text);
  return text;
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
