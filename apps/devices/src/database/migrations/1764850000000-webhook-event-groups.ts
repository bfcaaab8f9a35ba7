import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A telemetry group's webhook events in one row (see webhooks.sql.ts): its data is the group's
 * records and these columns say which bytes of it each event carries, so ingest writes one
 * event row and one group fan-out row per statement instead of two rows per request. NULL on a
 * row that is one event.
 *
 * The data is compressed with lz4 where the server has it: a group's data is stored in the ingest
 * transaction, and pglz took about three times as long to compress it (bench/README.md).
 */
export class WebhookEventGroups1764850000000 implements MigrationInterface {
  name = 'WebhookEventGroups1764850000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE webhook_events
        ADD COLUMN devices text[],
        ADD COLUMN starts integer[],
        ADD COLUMN lengths integer[]`);
    // A server built without lz4 keeps the default (pglz).
    await db.query(`
      DO $$ BEGIN
        ALTER TABLE webhook_events ALTER COLUMN data SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN NULL;
      END $$`);
    // A group of single records compresses to a few KiB: kept in the row, it costs no TOAST
    // rows and index entries of its own (bench/README.md).
    await db.query(`ALTER TABLE webhook_events SET (toast_tuple_target = 8160)`);
  }

  /** Group rows become a row per event, and group fan-out rows a row per event, as before. */
  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      INSERT INTO webhook_events (id, type, data, created_at)
      SELECT e.id || '_' || k, e.type,
        '{"deviceid":' || e.devices[k] || ',"records":['
          || convert_from(substring(convert_to(e.data, 'UTF8') FROM e.starts[k]
                                    FOR e.lengths[k]), 'UTF8') || ']}',
        e.created_at
      FROM webhook_events e, generate_subscripts(e.devices, 1) AS k
      WHERE e.devices IS NOT NULL`);
    await db.query('DELETE FROM webhook_events WHERE devices IS NOT NULL');
    await db.query(`
      WITH groups AS (
        DELETE FROM outbox
        WHERE channel = 'webhooks' AND topic = '*' AND payload ->> 'events' IS NOT NULL
        RETURNING *
      )
      INSERT INTO outbox (channel, topic, record_id, payload, request_id, status, attempts, solo,
        next_attempt_at, created_at, retry_since, last_attempt_at, last_error, dead_at,
        dead_reason)
      SELECT g.channel, g.topic, m[1] || '_' || (m[2]::int + i),
        json_build_object('type', g.payload -> 'type', 'endpoints', g.payload -> 'endpoints'),
        g.request_id, g.status, g.attempts, g.solo, g.next_attempt_at, g.created_at,
        g.retry_since, g.last_attempt_at, g.last_error, g.dead_at, g.dead_reason
      FROM groups g, regexp_match(g.record_id, '^(.+)_([0-9]+)$') AS m,
        generate_series(0, (g.payload ->> 'events')::int - 1) AS i`);
    await db.query(`
      ALTER TABLE webhook_events
        RESET (toast_tuple_target),
        ALTER COLUMN data SET COMPRESSION default,
        DROP COLUMN devices,
        DROP COLUMN starts,
        DROP COLUMN lengths`);
  }
}
