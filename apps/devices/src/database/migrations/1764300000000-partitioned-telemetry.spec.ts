import { checkPartitionMigration } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { devicesDataSourceOptions } from '../devices-data-source';

describe('Devices migration 1764300000000 (partitioned telemetry)', () => {
  it('partitions tables holding data by day, with every id in record_ids, and reverts to the same tables', async () => {
    await checkPartitionMigration(
      'devices_partition_migration',
      (url) => devicesDataSourceOptions(url, 'devices', 2),
      {
        partitioned: async (db) => {
          const { rows } = await db.pool.query<{ kind: string; n: number }>(
            `SELECT kind, count(*)::int AS n FROM record_ids GROUP BY kind ORDER BY kind`,
          );
          assert.deepEqual(rows, [
            { kind: 'activities', n: 4 },
            { kind: 'alerts', n: 4 },
            { kind: 'metrics', n: 4 },
          ]);
        },
        reverted: async (db) => {
          const { rowCount } = await db.pool.query(
            `SELECT 1 FROM pg_class WHERE relname = 'record_ids'`,
          );
          assert.equal(rowCount, 0);
        },
      },
    );
  });
});
