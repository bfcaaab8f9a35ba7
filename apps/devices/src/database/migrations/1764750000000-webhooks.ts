import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: the endpoints operators register, the events written with the records they
 * announce (one per accepted write; the outbox carries one small row per event and endpoint on
 * the `webhooks` channel), and each endpoint's delivery log.
 */
export class Webhooks1764750000000 implements MigrationInterface {
  name = 'Webhooks1764750000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        events text[] NOT NULL,
        description text,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        last_success_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Events keep their body after delivery so any of them can be redelivered until pruned.
    await db.query(`
      CREATE TABLE webhook_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        data json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX webhook_events_created_idx ON webhook_events (created_at)`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id text NOT NULL,
        event_type text NOT NULL,
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        outcome text NOT NULL
          CONSTRAINT webhook_deliveries_outcome_check
          CHECK (outcome IN ('delivered', 'failed', 'refused', 'skipped')),
        status_code integer,
        duration_ms integer NOT NULL,
        error text,
        response text
      )`);
    // The log is read newest first per endpoint, and pruned by age.
    await db.query(
      `CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC)`,
    );
    await db.query(
      `CREATE INDEX webhook_deliveries_attempted_idx ON webhook_deliveries (attempted_at)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM outbox WHERE channel = 'webhooks'`);
    await db.query('DROP TABLE IF EXISTS webhook_deliveries');
    await db.query('DROP TABLE IF EXISTS webhook_events');
    await db.query('DROP TABLE IF EXISTS webhook_endpoints');
  }
}
