import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { LOAD_EVENTS } from '../../webhooks/webhooks.sql';
import { devicesDataSourceOptions } from '../devices-data-source';

const DATA = '[{"id":"a","note":"ü"},{"id":"b"},{"id":"c"}]';

describe("Devices migration 1764850000000 (a telemetry group's webhook events in one row)", () => {
  it('adds the group columns, and on the way down turns group rows and group fan-out rows into a row per event', async () => {
    const db = await MigrationDatabase.open('devices_event_groups_migration', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
    try {
      await db.migrateTo(1764850000000);
      // The group of two requests: records a and b from d1, then c from d2 (byte ranges in DATA).
      const first = Buffer.byteLength('{"id":"a","note":"ü"},{"id":"b"}');
      const second = Buffer.byteLength('{"id":"c"}');
      await db.pool.query(
        `INSERT INTO webhook_events (id, type, data, devices, starts, lengths)
         VALUES ('msg_g', 'metric.submitted', $1, '{"\\"d1\\"","\\"d2\\""}', $2, $3)`,
        [DATA, [2, 2 + first + 1], [first, second]],
      );
      await db.pool.query(
        `INSERT INTO outbox (channel, topic, record_id, payload, bundle_size, attempts)
         VALUES ('webhooks', '*', 'msg_g_1', $1, 2, 3)`,
        [JSON.stringify({ type: 'metric.submitted', endpoints: ['e'], events: 2 })],
      );

      await db.revertLast();
      const events = await db.pool.query<{ id: string; data: string }>(
        'SELECT id, data FROM webhook_events ORDER BY id',
      );
      assert.deepEqual(
        events.rows.map((e) => [e.id, JSON.parse(e.data) as unknown]),
        [
          ['msg_g_1', { deviceid: 'd1', records: [{ id: 'a', note: 'ü' }, { id: 'b' }] }],
          ['msg_g_2', { deviceid: 'd2', records: [{ id: 'c' }] }],
        ],
      );
      const queued = await db.pool.query(
        `SELECT topic, record_id, payload, bundle_size, attempts FROM outbox ORDER BY record_id`,
      );
      assert.deepEqual(
        queued.rows,
        ['msg_g_1', 'msg_g_2'].map((id) => ({
          topic: '*',
          record_id: id,
          bundle_size: null,
          payload: { type: 'metric.submitted', endpoints: ['e'] },
          attempts: 3,
        })),
      );

      // Up again: the per-event rows are events of their own.
      await db.migrateTo(1764850000000);
      const loaded = await db.pool.query<{ id: string }>(LOAD_EVENTS, [['msg_g_1', 'msg_g_2']]);
      assert.deepEqual(loaded.rows.map((e) => e.id).sort(), ['msg_g_1', 'msg_g_2']);
    } finally {
      await db.close();
    }
  });
});
