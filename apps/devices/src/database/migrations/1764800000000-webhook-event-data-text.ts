import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A webhook event's data as text: it is written from text the ingest statement already holds
 * (a slice of the request's document) and only ever read back as the delivery body, so a json
 * column parsed it once more for nothing.
 */
export class WebhookEventDataText1764800000000 implements MigrationInterface {
  name = 'WebhookEventDataText1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE webhook_events ALTER COLUMN data TYPE text');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE webhook_events ALTER COLUMN data TYPE json USING data::json');
  }
}
