import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { devicesDataSourceOptions } from '../database/devices-data-source';
import { EMIT_EVENT, EXPAND_FANOUT, PRUNE } from './webhooks.sql';

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

describe('Webhook fan-out rows (EMIT_EVENT, EXPAND_FANOUT)', () => {
  it('writes one outbox row per event for all its endpoints, and replaces it by rows for the failed ones', async () => {
    const db = await MigrationDatabase.open('devices_webhook_fanout', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
    try {
      await db.migrateTo();
      const endpoints = ['e1', 'e2', 'e3'];
      await db.pool.query(EMIT_EVENT, ['msg_a', 'metric.submitted', '{"x":1}', endpoints, 'r1']);
      const written = await db.pool.query<{ id: string; topic: string; payload: unknown }>(
        `SELECT id, topic, payload, request_id, attempts FROM outbox`,
      );
      assert.deepEqual(
        written.rows.map(({ id: _id, ...row }) => row),
        [
          {
            topic: '*',
            payload: { type: 'metric.submitted', endpoints },
            request_id: 'r1',
            attempts: 0,
          },
        ],
      );
      const id = written.rows[0].id;
      await db.pool.query(`UPDATE outbox SET attempts = 1, retry_since = now() - interval '1 h'`);
      const expand = async (attempts: number) =>
        (
          await db.pool.query(EXPAND_FANOUT, [
            id,
            attempts,
            ['e2', 'e3'],
            ['msg_a', 'msg_a'],
            ['metric.submitted', 'metric.submitted'],
            ['503', 'timeout'],
            [100, 100],
          ])
        ).rows[0] as unknown;
      // A row claimed again since (more attempts) belongs to that claim: left alone.
      assert.deepEqual(await expand(2), { fanout: 0, expanded: 0 });
      assert.deepEqual(await expand(1), { fanout: 1, expanded: 2 });
      const after = await db.pool.query(
        `SELECT topic, record_id, payload, request_id, attempts, status, last_error, solo,
           retry_since < now() - interval '59 min' AS kept_window,
           next_attempt_at > now() AS waiting
         FROM outbox ORDER BY topic`,
      );
      const row = { record_id: 'msg_a', payload: 'metric.submitted', request_id: 'r1' };
      const state = {
        attempts: 1,
        status: 'pending',
        solo: false,
        kept_window: true,
        waiting: true,
      };
      assert.deepEqual(after.rows, [
        { topic: 'e2', ...row, ...state, last_error: '503' },
        { topic: 'e3', ...row, ...state, last_error: 'timeout' },
      ]);
    } finally {
      await db.close();
    }
  });
});
