import { WEBHOOK_BATCH, WEBHOOK_CHANNEL, WEBHOOK_FANOUT_TOPIC } from './webhook-event-types';

// Webhooks' SQL. An event is kept in webhook_events (its body, for delivery and redelivery) and
// queued on the `webhooks` outbox channel as a fan-out (topic `*`: the event, its type and the
// endpoints subscribed when it was written), both in the producer's transaction: what ingest
// writes does not grow with the number of endpoints. The transport sends a fan-out's events to
// each of its endpoints; the (endpoint, event) pairs it failed get per-endpoint rows (topic: the
// endpoint's id, record id: the event's, payload: its type) in place of the fan-out row, which
// retry on their own schedule. Redeliveries and test events are per-endpoint rows.
//
// A telemetry group (the requests one ingest statement writes) keeps all its events in one
// webhook_events row and queues them in group fan-out rows, each `{type, endpoints, events}` for
// the `events` events from its record id `<row id>_<k>` on (WEBHOOK_BATCH at most; its
// bundle_size says as much, so the engine counts them as events, though it never splits them:
// outbox.sql.ts), so ingest adds two small rows per statement rather than two per request.
// Such a row's data is the group's records (one JSON array) and `devices`, `starts` and `lengths`
// describe its events: event k, id `<row id>_<k>`, is `{"deviceid": devices[k], "records":
// [...]}` with the records that are bytes starts[k] to starts[k] + lengths[k] - 1 of the data.
// A row of one event (any other producer) has those columns NULL and its id is the event's.

const QUEUE_COLUMNS = 'channel, topic, record_id, payload, request_id, solo';

/**
 * Event ids (`ids`, a text[] expression) as a relation `q(id, row_id, k)`: `<row id>_<k>` names
 * the k-th event of a group row, any other id a row of its own (k NULL). Join on EVENT_MATCH.
 */
function eventRefs(ids: string): string {
  return `(SELECT r.id, coalesce(r.m[1], r.id) AS row_id, r.m[2]::int AS k
     FROM (SELECT id, regexp_match(id, '^(msg_[0-9a-f]{32})_([0-9]+)$') AS m
           FROM unnest(${ids}) AS id) r) q`;
}

/** The webhook_events row `e` holding the event `q` (see eventRefs). */
const EVENT_MATCH = `e.id = q.row_id AND (q.k IS NULL) = (e.devices IS NULL)
  AND (q.k IS NULL OR q.k BETWEEN 1 AND cardinality(e.devices))`;

/** The event `q`'s data (JSON text), whole or cut out of its group row `e`. */
const EVENT_DATA = `CASE WHEN q.k IS NULL THEN e.data ELSE
  '{"deviceid":' || e.devices[q.k] || ',"records":['
  || convert_from(substring(convert_to(e.data, 'UTF8') FROM e.starts[q.k] FOR e.lengths[q.k]),
                  'UTF8') || ']}' END`;

/**
 * CTEs appended to the telemetry ingest statement when an endpoint subscribes to the kind's
 * event (telemetry.sql.ts): one event per request of the group that stored a record (numbered
 * k = 1, 2, ... in the group's order), all in one webhook_events row whose data is $1, the
 * group's document, as text, and queued in group fan-out rows of WEBHOOK_BATCH events at most (a
 * relay round's worth). Parameters from $`first`: the row id, then per request its device (a
 * JSON string) and the byte start (1-based) and length of its records in $1, then per record of
 * $1 the request (1-based) it came with, then the endpoint ids.
 *
 * When every record was stored (the usual case) every request is an event, and the row's
 * arrays are the parameters as they stand; otherwise the requests that stored a record are
 * found and the arrays aggregated. The statement's `counts` (telemetry.sql.ts) gate both
 * branches, so PostgreSQL runs one.
 */
export function telemetryEventCtes(type: string, first: number): string {
  const p = (offset: number): string => `$${first + offset}`;
  const all = `(SELECT c.records > 0 AND c.kept = c.records FROM counts c)`;
  return `, webhook_emitted AS MATERIALIZED (
       SELECT row_number() OVER (ORDER BY o.r) AS k, o.r
       FROM (SELECT DISTINCT (${p(4)}::int[])[i.n] AS r
             FROM stored s JOIN input i ON i.id = s.id) o
     ), webhook_event AS (
       INSERT INTO webhook_events (id, type, data, devices, starts, lengths)
       SELECT ${p(0)}::text, '${type}', convert_from($1, 'UTF8'), ${p(1)}::text[],
         ${p(2)}::int[], ${p(3)}::int[]
       WHERE ${all}
       UNION ALL
       SELECT ${p(0)}::text, '${type}', convert_from($1, 'UTF8'),
         array_agg((${p(1)}::text[])[e.r] ORDER BY e.k),
         array_agg((${p(2)}::int[])[e.r] ORDER BY e.k),
         array_agg((${p(3)}::int[])[e.r] ORDER BY e.k)
       FROM webhook_emitted e
       WHERE NOT ${all}
       HAVING count(*) > 0
       RETURNING id, cardinality(devices) AS events
     ), webhook_queued AS (
       INSERT INTO outbox (${QUEUE_COLUMNS}, bundle_size)
       SELECT '${WEBHOOK_CHANNEL}', '${WEBHOOK_FANOUT_TOPIC}', ev.id || '_' || f.k,
         json_build_object('type', '${type}', 'endpoints', ${p(5)}::text[], 'events', f.n), NULL,
         false, f.n
       FROM webhook_event ev, LATERAL (
         SELECT k, least(${WEBHOOK_BATCH}, ev.events - k + 1)::int AS n
         FROM generate_series(1, ev.events, ${WEBHOOK_BATCH}) AS k
       ) f
     )`;
}

/** $1 event id, $2 type, $3 data (JSON text), $4 endpoint ids, $5 request id. */
export const EMIT_EVENT = `
  WITH event AS (
    INSERT INTO webhook_events (id, type, data) VALUES ($1, $2, $3) RETURNING id
  )
  INSERT INTO outbox (${QUEUE_COLUMNS})
  SELECT '${WEBHOOK_CHANNEL}', '${WEBHOOK_FANOUT_TOPIC}', event.id,
    json_build_object('type', $2::text, 'endpoints', $4::text[]), $5, false
  FROM event`;

/**
 * $1 fan-out row id, $2 its attempts (the claim's own: a row claimed again by another relay
 * meanwhile is left alone); per failed (endpoint, event) pair: $3 endpoint id, $4 event id,
 * $5 event type, $6 last error, $7 delay ms before its next attempt. Replaces the fan-out row
 * (one event or a group's) by one row per pair, keeping its attempts and retry window, in one
 * statement.
 */
export const EXPAND_FANOUT = `
  WITH fanout AS (
    DELETE FROM outbox WHERE id = $1::bigint AND attempts = $2 AND status = 'pending'
      AND channel = '${WEBHOOK_CHANNEL}' AND topic = '${WEBHOOK_FANOUT_TOPIC}'
    RETURNING *
  ), expanded AS (
    INSERT INTO outbox (${QUEUE_COLUMNS}, attempts, next_attempt_at, created_at, retry_since,
      last_attempt_at, last_error)
    SELECT f.channel, ep.endpoint, ep.event, to_json(ep.type), f.request_id, false, f.attempts,
      now() + (ep.delay_ms::float8 * interval '1 millisecond'), f.created_at, f.retry_since,
      f.last_attempt_at, ep.error
    FROM fanout f, unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::int[])
      AS ep(endpoint, event, type, error, delay_ms)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM fanout)::int AS fanout, (SELECT count(*) FROM expanded)::int AS expanded`;

/** $1 endpoint id: what its deliveries need (the previous secret only while it is valid). */
export const LOAD_ENDPOINT = `
  SELECT url, enabled, secret,
    CASE WHEN previous_secret_expires_at > now() THEN previous_secret END AS previous_secret
  FROM webhook_endpoints WHERE id = $1::uuid`;

/** $1 event ids: the events to send (an event past WEBHOOK_RETENTION is missing). */
export const LOAD_EVENTS = `
  SELECT q.id, e.type, ${EVENT_DATA} AS data, e.created_at
  FROM ${eventRefs('$1::text[]')} JOIN webhook_events e ON ${EVENT_MATCH}`;

/**
 * Logs a round's attempts to one endpoint and keeps its failure clock: $1 endpoint; per attempt
 * $2 event id, $3 type, $4 attempt, $5 outcome, $6 status code, $7 duration ms, $8 error,
 * $9 response excerpt; $10 whether any attempt got through, $11 whether any failed,
 * $12 disable-after ms, $13 the disabled reason.
 * The endpoint row is only written when its state changes (so a healthy endpoint's deliveries
 * never queue on its row lock): a success after failures (or first in a minute) clears
 * failing_since; a failure starts it; a failure while it is older than $12 disables the
 * endpoint. Returns a row, `disabled_now`, when the endpoint was written.
 */
export const RECORD_ATTEMPTS = `
  WITH logged AS (
    INSERT INTO webhook_deliveries
      (endpoint_id, event_id, event_type, attempt, outcome, status_code, duration_ms, error,
       response)
    SELECT $1::uuid, a.* FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::int[],
      $7::int[], $8::text[], $9::text[]) AS a
  )
  UPDATE webhook_endpoints w SET
    last_success_at = CASE WHEN $10 THEN now() ELSE w.last_success_at END,
    failing_since = CASE WHEN $10 THEN NULL ELSE coalesce(w.failing_since, now()) END,
    enabled = $10 OR w.failing_since IS NULL
      OR w.failing_since > now() - ($12::float8 * interval '1 millisecond'),
    disabled_reason = CASE WHEN $10 OR w.failing_since IS NULL
      OR w.failing_since > now() - ($12::float8 * interval '1 millisecond')
      THEN w.disabled_reason ELSE $13 END
  WHERE w.id = $1::uuid AND w.enabled AND (
    ($10 AND (w.failing_since IS NOT NULL OR w.last_success_at IS NULL
              OR w.last_success_at < now() - interval '1 minute'))
    OR (NOT $10 AND $11 AND (w.failing_since IS NULL
              OR w.failing_since <= now() - ($12::float8 * interval '1 millisecond'))))
  RETURNING NOT w.enabled AS disabled_now`;

/** $1 endpoint, $2 limit, $3 before id or NULL. Newest first. */
export const LIST_DELIVERIES = `
  SELECT id, event_id, event_type, attempt, attempted_at, outcome, status_code, duration_ms,
    error, response
  FROM webhook_deliveries
  WHERE endpoint_id = $1::uuid AND ($3::bigint IS NULL OR id < $3::bigint)
  ORDER BY id DESC
  LIMIT $2`;

/** $1 event id, $2 type, $3 data (JSON text), $4 endpoint id: an event for that endpoint alone. */
export const EMIT_TEST_EVENT = `
  WITH event AS (
    INSERT INTO webhook_events (id, type, data) VALUES ($1, $2, $3) RETURNING id
  )
  INSERT INTO outbox (${QUEUE_COLUMNS})
  SELECT '${WEBHOOK_CHANNEL}', $4, event.id, to_json($2::text), NULL, false FROM event`;

/** $1 endpoint, $2 event id: queues the event again for the endpoint, if it is still kept. */
export const REDELIVER = `
  INSERT INTO outbox (${QUEUE_COLUMNS})
  SELECT '${WEBHOOK_CHANNEL}', $1, q.id, to_json(e.type), NULL, true
  FROM ${eventRefs('ARRAY[$2::text]')} JOIN webhook_events e ON ${EVENT_MATCH}
  RETURNING record_id`;

/** $1 endpoint, $2 delivery id: the event the delivery carried. */
export const EVENT_OF_DELIVERY = `
  SELECT event_id FROM webhook_deliveries WHERE endpoint_id = $1::uuid AND id = $2::bigint`;

/** $1 endpoint: its queued deliveries, when it is deleted. */
export const DROP_QUEUED = `DELETE FROM outbox WHERE channel = '${WEBHOOK_CHANNEL}' AND topic = $1`;

/**
 * $1 age in ms, $2 rows at most of each table: events and log lines older than that go, a slice
 * at a time so no prune holds a long transaction. Returns how many of each went.
 */
export const PRUNE = `
  WITH events AS (
    DELETE FROM webhook_events WHERE id IN (
      SELECT id FROM webhook_events
      WHERE created_at < now() - ($1::float8 * interval '1 millisecond') LIMIT $2)
    RETURNING 1
  ), deliveries AS (
    DELETE FROM webhook_deliveries WHERE id IN (
      SELECT id FROM webhook_deliveries
      WHERE attempted_at < now() - ($1::float8 * interval '1 millisecond') LIMIT $2)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM events)::int AS events,
    (SELECT count(*) FROM deliveries)::int AS deliveries`;

/**
 * Waiting and dead deliveries per registered endpoint, zero included, so a gauge reads 0 rather
 * than going missing when an endpoint is caught up (a fan-out row counts each of its events for
 * each of their endpoints).
 */
export const BACKLOG_BY_ENDPOINT = `
  SELECT w.id::text AS endpoint, coalesce(b.pending, 0)::int AS pending,
    coalesce(b.dead, 0)::int AS dead
  FROM webhook_endpoints w LEFT JOIN (
    SELECT e.endpoint, sum(e.n) FILTER (WHERE o.status = 'pending') AS pending,
      sum(e.n) FILTER (WHERE o.status = 'dead') AS dead
    FROM outbox o, LATERAL (
      SELECT o.topic, 1 WHERE o.topic <> '${WEBHOOK_FANOUT_TOPIC}'
      UNION ALL
      SELECT json_array_elements_text(o.payload -> 'endpoints'),
        coalesce((o.payload ->> 'events')::int, 1)
      WHERE o.topic = '${WEBHOOK_FANOUT_TOPIC}'
    ) AS e(endpoint, n)
    WHERE o.channel = '${WEBHOOK_CHANNEL}' GROUP BY e.endpoint
  ) b ON b.endpoint = w.id::text`;

/** The enabled endpoints and their event types, for the subscription cache. */
export const ENABLED_SUBSCRIPTIONS = `SELECT id, events FROM webhook_endpoints WHERE enabled`;

/** Tells every replica's subscription cache to reload. */
export const NOTIFY_CHANGED = `SELECT pg_notify('webhook_endpoints', '')`;
