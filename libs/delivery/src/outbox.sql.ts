/**
 * Every statement the engine runs against the outbox, in one place so the hot paths (batch
 * insert, SKIP LOCKED claims, per-row reschedules) can be reviewed together. Arrays go in as
 * single parameters and are expanded with unnest(), so a batch costs one round trip whatever
 * its size. Every time comes from the database clock (now()), never from a replica's clock.
 */

/** A millisecond count parameter as an interval, typed so PostgreSQL never has to guess. */
const ms = (param: string): string => `(${param}::float8 * interval '1 millisecond')`;

/**
 * $1 channels, $2 topics, $3 record ids, $4 payloads (JSON text), $5 request ids, $6 bundle
 * sizes (NULL for a row holding one record).
 */
export const INSERT_MESSAGES = `
  INSERT INTO outbox (channel, topic, record_id, payload, request_id, bundle_size)
  SELECT channel, topic, record_id, payload, request_id, bundle_size
  FROM unnest($1::text[], $2::text[], $3::text[], $4::json[], $5::text[], $6::int[])
    AS m(channel, topic, record_id, payload, request_id, bundle_size)`;

/**
 * The outbox INSERT fed by a producer's own SELECT of (channel, topic, record_id, payload,
 * request_id), or with `bundled` of (…, bundle_size), for a producer that writes its records
 * and their outbox rows in one statement (a data-modifying CTE): one round trip and one
 * implicit transaction instead of four.
 */
export function insertMessagesFrom(select: string, bundled = false): string {
  const columns = `channel, topic, record_id, payload, request_id${bundled ? ', bundle_size' : ''}`;
  return `INSERT INTO outbox (${columns}) ${select}`;
}

const CLAIMED_COLUMNS = `o.id, o.channel, o.topic, o.record_id, o.payload, o.request_id,
  o.attempts, o.solo, o.created_at, o.bundle_size`;

/**
 * $1 channel, $2 row limit, $3 lease ms, $4 claimer, $5 record limit. SKIP LOCKED lets any
 * number of relays claim side by side without waiting on each other; the lease (claimed_until)
 * survives the short claim transaction, so a crashed relay's rows become claimable again once
 * it expires. Ordered by next_attempt_at, id: the due index serves it directly and it is FIFO
 * for fresh rows. Rows are taken while their records fit $5 (the first always, however large),
 * so bundles never make one round's request bigger than a batch; rows locked but not taken are
 * free again when the statement ends.
 * A claimed row's next_attempt_at moves to the end of its lease: in flight it is not due, and
 * leaving it at the head of the index made every claim step over all in-flight rows (up to
 * batch size x concurrency of them) before reaching claimable ones.
 */
export const CLAIM_DUE = `
  WITH due AS (
    SELECT id, next_attempt_at, coalesce(bundle_size, 1) AS records FROM outbox
    WHERE channel = $1 AND status = 'pending' AND next_attempt_at <= now()
      AND (claimed_until IS NULL OR claimed_until < now())
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
  ), taken AS (
    SELECT id FROM (
      SELECT id, records,
        sum(records) OVER (ORDER BY next_attempt_at, id) AS through FROM due
    ) d
    WHERE through <= $5 OR through = records
  )
  UPDATE outbox o
  SET claimed_until = now() + ${ms('$3')}, next_attempt_at = now() + ${ms('$3')}, claimed_by = $4,
      attempts = o.attempts + 1, last_attempt_at = now()
  FROM taken WHERE o.id = taken.id
  RETURNING ${CLAIMED_COLUMNS}`;

/**
 * The recovery probe's canary: $1 channel, $2 probe interval ms, $3 lease ms, $4 claimer.
 * Only rows that would not come due on their own before the next probe qualify, so a channel
 * that is merely in its quick retries is left alone.
 */
export const CLAIM_CANARY = `
  WITH canary AS (
    SELECT id FROM outbox
    WHERE channel = $1 AND status = 'pending' AND next_attempt_at > now() + ${ms('$2')}
      AND (claimed_until IS NULL OR claimed_until < now())
    ORDER BY next_attempt_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox o
  SET claimed_until = now() + ${ms('$3')}, claimed_by = $4,
      attempts = o.attempts + 1, last_attempt_at = now()
  FROM canary WHERE o.id = canary.id
  RETURNING ${CLAIMED_COLUMNS}`;

const RECORD_SUCCESS = `
  INSERT INTO delivery_channel_state (channel, last_success_at, consecutive_failures)
  VALUES ($1, now(), 0)
  ON CONFLICT (channel) DO UPDATE SET last_success_at = now(), consecutive_failures = 0`;

/** $1 channel, $2 ids. Delivered rows are deleted so the outbox only ever holds work. */
export const DELETE_DELIVERED = `
  WITH gone AS (DELETE FROM outbox WHERE id = ANY($2::bigint[]))
  ${RECORD_SUCCESS}`;

/**
 * $1 channel, $2 error. Only transient failures count as consecutive failures: a refused record
 * says nothing about whether the receiver is reachable.
 */
const recordError = (countsAsFailure: boolean): string => `
  INSERT INTO delivery_channel_state (channel, last_error_at, last_error, consecutive_failures)
  VALUES ($1, now(), $2, ${countsAsFailure ? 1 : 0})
  ON CONFLICT (channel) DO UPDATE SET last_error_at = now(), last_error = EXCLUDED.last_error,
    consecutive_failures = delivery_channel_state.consecutive_failures
      + ${countsAsFailure ? 1 : 0}`;

/**
 * Transient failure: $1 channel, $2 error, $3 ids, $4 per-row delays (ms), $5 dead-letter age
 * (ms), $6 dead reason, $7 claimer. Rows older than the dead-letter age (counted from
 * retry_since) become dead letters instead. Returns one row: how many died.
 * The claimer guard keeps a relay whose lease expired from overwriting a newer claim.
 */
export const RESCHEDULE_FAILED = `
  WITH upd AS (
    UPDATE outbox o SET
      claimed_until = NULL,
      last_error = $2,
      next_attempt_at = now() + ${ms('d.delay_ms')},
      status = CASE WHEN now() - o.retry_since >= ${ms('$5')} THEN 'dead' ELSE 'pending' END,
      dead_at = CASE WHEN now() - o.retry_since >= ${ms('$5')} THEN now() END,
      dead_reason = CASE WHEN now() - o.retry_since >= ${ms('$5')} THEN $6 END
    FROM unnest($3::bigint[], $4::bigint[]) AS d(id, delay_ms)
    WHERE o.id = d.id AND o.claimed_by = $7 AND o.status = 'pending'
    RETURNING o.status, coalesce(o.bundle_size, 1) AS records
  ), state AS (${recordError(true)})
  SELECT coalesce(sum(records) FILTER (WHERE status = 'dead'), 0)::int AS dead FROM upd`;

const BUNDLE_COLUMNS = `channel, topic, record_id, payload, request_id, status, attempts, solo,
  next_attempt_at, created_at, retry_since, last_attempt_at, last_error, dead_at, dead_reason`;

type BundleOverride = 'attempts' | 'solo' | 'next_attempt_at' | 'last_error';

/**
 * Two CTEs (`bundle`, `split`) that replace the bundles matching `where` by one row per record
 * (a row whose payload is not an array is left whole: see outbox-bundle.ts),
 * keeping the bundle's state except for `overrides` (SQL over the deleted row `b`). The request
 * ids stay the bundle's list. For a statement to embed; `split` returns one row per record.
 */
export function unbundleCtes(
  where: string,
  overrides: Partial<Record<BundleOverride, string>>,
): string {
  const value = (column: BundleOverride): string => overrides[column] ?? `b.${column}`;
  return `bundle AS (
    DELETE FROM outbox
    WHERE bundle_size IS NOT NULL AND json_typeof(payload::json) = 'array' AND ${where}
    RETURNING *
  ), split AS (
    INSERT INTO outbox (${BUNDLE_COLUMNS})
    SELECT b.channel, b.topic, coalesce(e.value ->> 'id', b.record_id), e.value, b.request_id,
      b.status, ${value('attempts')}, ${value('solo')}, ${value('next_attempt_at')}, b.created_at,
      b.retry_since, b.last_attempt_at, ${value('last_error')}, b.dead_at, b.dead_reason
    -- The cast makes no work of a json payload; an earlier migration's down runs this on jsonb.
    FROM bundle b, json_array_elements(b.payload::json) e
    RETURNING 1
  )`;
}

/** A whole statement splitting the bundles matching `where`; returns how many records. */
export function unbundle(
  where: string,
  overrides: Partial<Record<BundleOverride, string>>,
): string {
  return `WITH ${unbundleCtes(where, overrides)} SELECT count(*)::int AS records FROM split`;
}

/**
 * A permanent answer to a multi-row request, or to a bundle: $1 channel, $2 error, $3 ids,
 * $4 claimer. Nobody knows which record was refused, so each is retried alone right away
 * (solo; a bundle is first split into one row per record) and only the bad one dies. The
 * attempt is given back: it was not the record's own failure.
 */
export const SPLIT_INTO_SOLO = `
  WITH upd AS (
    UPDATE outbox SET solo = true, next_attempt_at = now(), claimed_until = NULL,
      attempts = greatest(attempts - 1, 0), last_error = $2
    WHERE id = ANY($3::bigint[]) AND claimed_by = $4 AND status = 'pending'
      AND bundle_size IS NULL
  ), ${unbundleCtes(`id = ANY($3::bigint[]) AND claimed_by = $4 AND status = 'pending'`, {
    attempts: 'greatest(b.attempts - 1, 0)',
    solo: 'true',
    next_attempt_at: 'now()',
    last_error: '$2',
  })} ${recordError(false)}`;

/**
 * $1 ids, $2 claimer: bundles among the rows that just became dead letters are split, so dead
 * letters are listed and replayed per record.
 */
export const SPLIT_DEAD_BUNDLES = unbundle(
  `id = ANY($1::bigint[]) AND claimed_by = $2 AND status = 'dead'`,
  {},
);

/** A permanent answer to a single row: $1 channel, $2 reason, $3 ids, $4 claimer. */
export const DEAD_LETTER = `
  WITH upd AS (
    UPDATE outbox SET status = 'dead', dead_at = now(), dead_reason = $2, last_error = $2,
      claimed_until = NULL
    WHERE id = ANY($3::bigint[]) AND claimed_by = $4 AND status = 'pending'
  ) ${recordError(false)}`;

/**
 * $1 channel, $2 topic or NULL. After a canary got through, everything waiting in backoff (of
 * the topic, if given) is due again.
 */
export const RESUME_WAITING = `
  UPDATE outbox SET next_attempt_at = now()
  WHERE channel = $1 AND ($2::text IS NULL OR topic = $2) AND status = 'pending'
    AND next_attempt_at > now()
    AND (claimed_until IS NULL OR claimed_until < now())`;

/** $1 claimer: hands back whatever this relay still holds (stop, or an unrecorded outcome). */
export const RELEASE_CLAIMS = `
  UPDATE outbox SET claimed_until = NULL, next_attempt_at = now()
  WHERE claimed_by = $1 AND claimed_until IS NOT NULL AND status = 'pending'`;

/**
 * $1 channel, $2 ids or NULL, $3 topic or NULL. Replayed rows go out alone (solo) since they
 * were refused before, and get a fresh dead-letter window.
 */
export const REPLAY_DEAD = `
  UPDATE outbox SET status = 'pending', attempts = 0, solo = true, next_attempt_at = now(),
    retry_since = now(), claimed_until = NULL, dead_at = NULL, dead_reason = NULL
  WHERE channel = $1 AND status = 'dead'
    AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
    AND ($3::text IS NULL OR topic = $3)`;

/** $1 channel, $2 limit, $3 before id or NULL, $4 topic or NULL. Newest first. */
export const LIST_DEAD = `
  SELECT id, topic, record_id, attempts, created_at, dead_at, dead_reason, payload
  FROM outbox
  WHERE channel = $1 AND status = 'dead'
    AND ($3::bigint IS NULL OR id < $3::bigint)
    AND ($4::text IS NULL OR topic = $4)
  ORDER BY id DESC
  LIMIT $2`;

/** $1 channel. Counts are records: a bundle counts as many as it holds. */
export const BACKLOG_STATS = `
  SELECT
    coalesce(sum(coalesce(o.bundle_size, 1)) FILTER (WHERE o.status = 'pending'), 0)::int
      AS pending,
    extract(epoch FROM now() - min(o.created_at) FILTER (WHERE o.status = 'pending'))::float8
      AS oldest_pending_age_seconds,
    coalesce(sum(coalesce(o.bundle_size, 1)) FILTER (WHERE o.status = 'dead'), 0)::int
      AS dead_letters,
    (SELECT last_success_at FROM delivery_channel_state WHERE channel = $1) AS last_success_at,
    (SELECT last_error_at FROM delivery_channel_state WHERE channel = $1) AS last_error_at,
    (SELECT last_error FROM delivery_channel_state WHERE channel = $1) AS last_error
  FROM outbox o
  WHERE o.channel = $1`;
