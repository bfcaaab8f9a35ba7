import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { devicesDataSourceOptions } from '../devices-data-source';

const TABLES = ['metrics', 'activities', 'alerts'];

/** Primary keys of a table and of its partitions, as `relation: definition`. */
async function primaryKeys(db: MigrationDatabase, table: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ key: string }>(
    `SELECT c.relname || ': ' || pg_get_constraintdef(k.oid) AS key
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
     WHERE k.contype = 'p' AND (c.oid = $1::regclass
       OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass))
     ORDER BY 1`,
    [table],
  );
  return rows.map((r) => r.key);
}

describe('Devices migration 1764500000000 (telemetry without a row key)', () => {
  it('drops the (id, ts) key of every telemetry table and its partitions, keeps the rows and the other indexes, and puts the key back on the way down', async () => {
    const db = await MigrationDatabase.open('devices_row_key_migration', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
    try {
      await db.migrateTo(1764500000000 - 1);
      const id = randomUUID();
      await db.pool.query(
        `INSERT INTO metrics (id, deviceid, ts, cpu_usage) VALUES ($1, 'd1', now(), 5)`,
        [id],
      );
      const keyed = await Promise.all(TABLES.map((t) => primaryKeys(db, t)));
      for (const [i, keys] of keyed.entries()) {
        assert.ok(keys.length > 1, `${TABLES[i]} and its partitions are keyed before`);
        assert.ok(keys.every((k) => k.endsWith('PRIMARY KEY (id, ts)')));
      }
      const before = await Promise.all(TABLES.map((t) => db.describe(t)));

      assert.deepEqual(await db.migrateTo(1764500000000), ['TelemetryWithoutRowKey1764500000000']);
      for (const table of TABLES) assert.deepEqual(await primaryKeys(db, table), []);
      const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM metrics');
      assert.deepEqual(rows, [{ id }]);
      const { rows: indexes } = await db.pool.query<{ name: string }>(
        `SELECT indexname AS name FROM pg_indexes
         WHERE schemaname = current_schema() AND tablename = 'metrics' ORDER BY 1`,
      );
      assert.deepEqual(
        indexes.map((i) => i.name),
        ['metrics_device_ts_idx', 'metrics_export_idx'],
      );

      await db.revertLast();
      assert.deepEqual(await Promise.all(TABLES.map((t) => primaryKeys(db, t))), keyed);
      assert.deepEqual(await Promise.all(TABLES.map((t) => db.describe(t))), before);
    } finally {
      await db.close();
    }
  });
});
