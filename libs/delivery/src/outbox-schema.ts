import { unbundle } from './outbox.sql';

/**
 * DDL of the delivery engine. Each app's migration calls these inside its own schema (the app
 * sets search_path), so table names are unqualified and the same engine serves every service.
 */

/** Statements that create the outbox and the per-channel health row, in order. */
export function outboxUpSql(): string[] {
  return [
    `CREATE TABLE outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      channel text NOT NULL,
      topic text NOT NULL,
      record_id text NOT NULL,
      payload jsonb NOT NULL,
      request_id text NULL,
      status text NOT NULL DEFAULT 'pending'
        CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'dead')),
      attempts integer NOT NULL DEFAULT 0,
      solo boolean NOT NULL DEFAULT false,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      claimed_until timestamptz NULL,
      claimed_by text NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- Start of the current retry window: the dead-letter age counts from here, so a replayed
      -- dead letter gets a fresh window instead of dying on its first transient failure.
      retry_since timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz NULL,
      last_error text NULL,
      dead_at timestamptz NULL,
      dead_reason text NULL
    )`,
    // Claims and the recovery probe walk pending rows of one channel in next_attempt_at order,
    // so both stop after LIMIT rows even when a large backlog waits in backoff.
    `CREATE INDEX outbox_due_idx ON outbox (channel, next_attempt_at, id) WHERE status = 'pending'`,
    // Dead letters are listed newest first with keyset paging on id.
    `CREATE INDEX outbox_dead_idx ON outbox (channel, id) WHERE status = 'dead'`,
    `CREATE TABLE delivery_channel_state (
      channel text PRIMARY KEY,
      last_success_at timestamptz NULL,
      last_error_at timestamptz NULL,
      last_error text NULL,
      consecutive_failures integer NOT NULL DEFAULT 0
    )`,
  ];
}

/** Statements that remove everything outboxUpSql created. */
export function outboxDownSql(): string[] {
  return ['DROP TABLE IF EXISTS delivery_channel_state', 'DROP TABLE IF EXISTS outbox'];
}

/**
 * Bundles: one outbox row may carry many records of a topic (`bundle_size` of them, its payload
 * a JSON array of records, each holding its record id in `id`). A producer that writes records
 * in groups queues one row per group instead of one per record, which is most of the outbox's
 * cost per record on both ends: the insert at ingest, and the claim and delete at delivery.
 * NULL means an ordinary row whose payload is one record.
 */
export function outboxBundlesUpSql(): string[] {
  return [
    `ALTER TABLE outbox ADD COLUMN bundle_size integer NULL
       CONSTRAINT outbox_bundle_size_check CHECK (bundle_size > 0)`,
  ];
}

/** Reverts outboxBundlesUpSql; waiting bundles are first split into one row per record. */
export function outboxBundlesDownSql(): string[] {
  return [
    unbundle('bundle_size IS NOT NULL', {}),
    'ALTER TABLE outbox DROP COLUMN IF EXISTS bundle_size',
  ];
}

/**
 * The payload kept as `json` (the producer's text as written) instead of `jsonb`. Producers hand
 * over JSON text and the relay sends JSON text; jsonb parsed and rebuilt every payload on the way
 * in (most of PostgreSQL's parse cost at ingest) and printed it again at every claim. Nothing
 * looks inside a payload but the split of a
 * refused bundle, which json_array_elements does as well.
 */
export function outboxPayloadTextUpSql(): string[] {
  return ['ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json'];
}

/** Reverts outboxPayloadTextUpSql. */
export function outboxPayloadTextDownSql(): string[] {
  return ['ALTER TABLE outbox ALTER COLUMN payload TYPE jsonb USING payload::jsonb'];
}
