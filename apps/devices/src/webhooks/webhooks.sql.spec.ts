import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { devicesDataSourceOptions } from '../database/devices-data-source';
import { PRUNE } from './webhooks.sql';

const DAY_MS = 86_400_000;
const ENDPOINT = 'b1b6c1e2-52a4-4a8f-9d3c-0c0d2c6b0a01';

describe('Webhook pruning (PRUNE)', () => {
  it('deletes events and log lines past the retention a slice at a time, and nothing newer', async () => {
    const db = await MigrationDatabase.open('devices_webhook_prune', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
    try {
      await db.migrateTo();
      await db.pool.query(
        `INSERT INTO webhook_endpoints (id, url, events, secret) VALUES ($1, 'https://h.example/', '{*}', 'whsec_x')`,
        [ENDPOINT],
      );
      for (const [id, age] of [
        ['msg_old1', 3],
        ['msg_old2', 2],
        ['msg_new', 0],
      ] as const) {
        await db.pool.query(
          `INSERT INTO webhook_events (id, type, data, created_at)
           VALUES ($1, 'metric.submitted', '{}', now() - $2 * interval '1 day')`,
          [id, age],
        );
        await db.pool.query(
          `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, attempt, outcome,
             duration_ms, attempted_at)
           VALUES ($1, $2, 'metric.submitted', 1, 'delivered', 3, now() - $3 * interval '1 day')`,
          [ENDPOINT, id, age],
        );
      }
      const prune = async () => (await db.pool.query(PRUNE, [DAY_MS, 1])).rows[0] as unknown;
      assert.deepEqual(await prune(), { events: 1, deliveries: 1 });
      assert.deepEqual(await prune(), { events: 1, deliveries: 1 });
      assert.deepEqual(await prune(), { events: 0, deliveries: 0 });
      const left = await db.pool.query<{ id: string }>('SELECT id FROM webhook_events');
      assert.deepEqual(left.rows, [{ id: 'msg_new' }]);
      const log = await db.pool.query<{ event_id: string }>(
        'SELECT event_id FROM webhook_deliveries',
      );
      assert.deepEqual(log.rows, [{ event_id: 'msg_new' }]);
    } finally {
      await db.close();
    }
  });
});
