import { WEBHOOK_CHANNEL, WEBHOOK_FANOUT_TOPIC } from './webhook-event-types';

// Webhooks' SQL. An event is one row of webhook_events (its body, kept for redelivery) and one
// small fan-out row on the `webhooks` outbox channel (topic `*`, record id: the event's id,
// payload: `{type, endpoints}`, the endpoints subscribed when it was written), written in the
// producer's transaction: what ingest writes does not grow with the number of endpoints. The
// transport sends a fan-out row's event to each of its endpoints; the endpoints it failed get
// per-endpoint rows (topic: the endpoint's id, payload: the event type) in place of the fan-out
// row, which retry on their own schedule. Redeliveries and test events are per-endpoint rows.

const QUEUE_COLUMNS = 'channel, topic, record_id, payload, request_id, solo';

/**
 * CTEs appended to the telemetry ingest statement when an endpoint subscribes to the kind's
 * event (telemetry.sql.ts): one event per request of the group that stored a record, and its
 * outbox rows. An event's data is its request's records cut out of the group's document ($1,
 * UTF-8 bytes) by byte range, as text: no second copy of the records on the wire and no second
 * JSON parse. Parameters from $`first`: event ids, device ids (as JSON strings), the byte start
 * and length of each request's records in $1, the first and last position of each request's
 * records in the group's input, the endpoint ids. Every array but the endpoints' has one element
 * per request, none per record.
 */
export function telemetryEventCtes(type: string, first: number): string {
  const p = (offset: number): string => `$${first + offset}`;
  return `, webhook_event AS (
       INSERT INTO webhook_events (id, type, data)
       SELECT e.id, '${type}', '{"deviceid":' || e.device || ',"records":['
         || convert_from(substring($1 FROM e.start FOR e.len), 'UTF8') || ']}'
       FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::int[], ${p(3)}::int[],
                   ${p(4)}::int[], ${p(5)}::int[])
         AS e(id, device, start, len, first_n, last_n)
       WHERE EXISTS (SELECT FROM stored s JOIN input i ON i.id = s.id
                     WHERE i.n BETWEEN e.first_n AND e.last_n)
       RETURNING id
     ), webhook_queued AS (
       INSERT INTO outbox (${QUEUE_COLUMNS})
       SELECT '${WEBHOOK_CHANNEL}', '${WEBHOOK_FANOUT_TOPIC}', ev.id,
         json_build_object('type', '${type}', 'endpoints', ${p(6)}::text[]), NULL, false
       FROM webhook_event ev
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
 * meanwhile is left alone), $3 failed endpoint ids, $4 their last errors, $5 delay ms before
 * their next attempt. Replaces the fan-out row by one row per failed endpoint, keeping its
 * attempts and retry window, in one statement; returns how many rows it wrote.
 */
export const EXPAND_FANOUT = `
  WITH fanout AS (
    DELETE FROM outbox WHERE id = $1::bigint AND attempts = $2 AND status = 'pending'
      AND channel = '${WEBHOOK_CHANNEL}' AND topic = '${WEBHOOK_FANOUT_TOPIC}'
    RETURNING *
  ), expanded AS (
    INSERT INTO outbox (${QUEUE_COLUMNS}, attempts, next_attempt_at, created_at, retry_since,
      last_attempt_at, last_error)
    SELECT f.channel, ep.id, f.record_id, f.payload -> 'type', f.request_id, false, f.attempts,
      now() + (ep.delay_ms::float8 * interval '1 millisecond'), f.created_at, f.retry_since,
      f.last_attempt_at, ep.error
    FROM fanout f, unnest($3::text[], $4::text[], $5::int[]) AS ep(id, error, delay_ms)
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
  SELECT id, type, data, created_at FROM webhook_events WHERE id = ANY($1::text[])`;

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
  SELECT '${WEBHOOK_CHANNEL}', $1, e.id, to_json(e.type), NULL, true
  FROM webhook_events e WHERE e.id = $2
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

/** Waiting and dead deliveries per endpoint (a fan-out row counts for each of its endpoints). */
export const BACKLOG_BY_ENDPOINT = `
  SELECT e.endpoint, count(*) FILTER (WHERE o.status = 'pending')::int AS pending,
    count(*) FILTER (WHERE o.status = 'dead')::int AS dead
  FROM outbox o, LATERAL (
    SELECT o.topic WHERE o.topic <> '${WEBHOOK_FANOUT_TOPIC}'
    UNION ALL
    SELECT json_array_elements_text(o.payload -> 'endpoints')
    WHERE o.topic = '${WEBHOOK_FANOUT_TOPIC}'
  ) AS e(endpoint)
  WHERE o.channel = '${WEBHOOK_CHANNEL}' GROUP BY e.endpoint`;

/** The enabled endpoints and their event types, for the subscription cache. */
export const ENABLED_SUBSCRIPTIONS = `SELECT id, events FROM webhook_endpoints WHERE enabled`;

/** Tells every replica's subscription cache to reload. */
export const NOTIFY_CHANGED = `SELECT pg_notify('webhook_endpoints', '')`;
