import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { devicesDataSourceOptions } from '../devices-data-source';

async function dataType(db: MigrationDatabase): Promise<string> {
  const { rows } = await db.pool.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = 'webhook_events'::regclass AND attname = 'data'`,
  );
  return rows[0].type;
}

describe('Devices migration 1764800000000 (webhook event data as text)', () => {
  it('turns the event data column into text keeping kept events, and back into json on the way down', async () => {
    const db = await MigrationDatabase.open('devices_event_data_text_migration', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
    try {
      await db.migrateTo(1764800000000 - 1);
      assert.equal(await dataType(db), 'json');
      const data = '{"deviceid":"d1","records":[{"id":"a","cpu_usage":1.5}]}';
      await db.pool.query(
        `INSERT INTO webhook_events (id, type, data) VALUES ('msg_1', 'metric.submitted', $1)`,
        [data],
      );

      assert.deepEqual(await db.migrateTo(1764800000000), ['WebhookEventDataText1764800000000']);
      assert.equal(await dataType(db), 'text');
      const { rows } = await db.pool.query<{ data: string }>('SELECT data FROM webhook_events');
      assert.deepEqual(rows, [{ data }]);

      await db.revertLast();
      assert.equal(await dataType(db), 'json');
      const back = await db.pool.query<{ data: unknown }>('SELECT data FROM webhook_events');
      assert.deepEqual(back.rows, [{ data: JSON.parse(data) as unknown }]);
    } finally {
      await db.close();
    }
  });
});
