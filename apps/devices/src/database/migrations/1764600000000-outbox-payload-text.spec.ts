import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { devicesDataSourceOptions } from '../devices-data-source';

async function payloadType(db: MigrationDatabase): Promise<string> {
  const { rows } = await db.pool.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = 'outbox'::regclass AND attname = 'payload'`,
  );
  return rows[0].type;
}

describe('Devices migration 1764600000000 (outbox payload as json text)', () => {
  it('turns the payload column into json keeping waiting rows, and back into jsonb on the way down', async () => {
    const db = await MigrationDatabase.open('devices_payload_text_migration', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
    try {
      await db.migrateTo(1764600000000 - 1);
      assert.equal(await payloadType(db), 'jsonb');
      const bundle = [
        { id: 'a5f0c3d2-1b1e-4c44-9a51-6f2b0d9c0001', cpu_usage: 1.5 },
        { id: 'a5f0c3d2-1b1e-4c44-9a51-6f2b0d9c0002', cpu_usage: 2 },
      ];
      await db.pool.query(
        `INSERT INTO outbox (channel, topic, record_id, payload, bundle_size)
         VALUES ('mentor', 'metrics', $1, $2, 2)`,
        [bundle[0].id, JSON.stringify(bundle)],
      );

      assert.deepEqual(await db.migrateTo(1764600000000), ['OutboxPayloadText1764600000000']);
      assert.equal(await payloadType(db), 'json');
      const { rows } = await db.pool.query<{ payload: unknown }>('SELECT payload FROM outbox');
      assert.deepEqual(rows, [{ payload: bundle }]);

      await db.revertLast();
      assert.equal(await payloadType(db), 'jsonb');
      const back = await db.pool.query<{ payload: unknown }>('SELECT payload FROM outbox');
      assert.deepEqual(back.rows, [{ payload: bundle }]);
    } finally {
      await db.close();
    }
  });
});
