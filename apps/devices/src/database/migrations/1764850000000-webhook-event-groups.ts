import { unbundle } from '@app/delivery';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A telemetry group's webhook events in one row (see webhooks.sql.ts): its data is the group's
 * records and these columns say which bytes of it each event carries, so ingest writes one
 * event row and one fan-out bundle per statement instead of two rows per request. NULL on a row
 * that is one event.
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
  }

  /** Group rows become a row per event, and fan-out bundles a row per event, as before. */
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
    await db.query(unbundle(`channel = 'webhooks' AND bundle_size IS NOT NULL`, {}));
    await db.query(`
      ALTER TABLE webhook_events
        ALTER COLUMN data SET COMPRESSION default,
        DROP COLUMN devices,
        DROP COLUMN starts,
        DROP COLUMN lengths`);
  }
}
