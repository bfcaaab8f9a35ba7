import {
  assertPartitioned,
  MigrationDatabase,
  seedTelemetry,
  TELEMETRY_TABLES,
} from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { devicesDataSourceOptions } from '../devices-data-source';

const DAY = 86_400_000;

void describe('Devices migration 1764300000000 (partitioned telemetry)', () => {
  let db: MigrationDatabase;

  before(async () => {
    db = await MigrationDatabase.open('devices_partition_migration', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
  });
  after(async () => {
    await db?.close();
  });

  void it('partitions tables holding data by day, with every id in record_ids, and reverts to the same tables', async () => {
    await db.migrateTo(1764100000000);
    const now = Date.now();
    const placed = await seedTelemetry(
      db,
      [now, now - 3 * DAY, now - 500 * DAY, now + 2 * DAY],
      now,
    );
    const before = await Promise.all(TELEMETRY_TABLES.map((table) => db.describe(table)));

    assert.deepEqual(await db.migrateTo(), ['PartitionedTelemetry1764300000000']);
    await assertPartitioned(db, before, placed);
    const { rows: ids } = await db.pool.query<{ kind: string; n: number }>(
      `SELECT kind, count(*)::int AS n FROM record_ids GROUP BY kind ORDER BY kind`,
    );
    assert.deepEqual(ids, [
      { kind: 'activities', n: 4 },
      { kind: 'alerts', n: 4 },
      { kind: 'metrics', n: 4 },
    ]);

    await db.revertLast();
    for (const [i, table] of TELEMETRY_TABLES.entries()) {
      assert.deepEqual(await db.describe(table), before[i], `${table} is back as it was`);
    }
    const { rowCount } = await db.pool.query(`SELECT 1 FROM pg_class WHERE relname = 'record_ids'`);
    assert.equal(rowCount, 0);
    // And up again, as a redeploy after a rollback would.
    assert.deepEqual(await db.migrateTo(), ['PartitionedTelemetry1764300000000']);
  });
});
