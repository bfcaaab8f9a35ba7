import {
  assertPartitioned,
  MigrationDatabase,
  seedTelemetry,
  TELEMETRY_TABLES,
} from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mentorDataSourceOptions } from '../mentor-data-source';

const DAY = 86_400_000;

void describe('Mentor migration 1764300000000 (partitioned telemetry)', () => {
  let db: MigrationDatabase;

  before(async () => {
    db = await MigrationDatabase.open('mentor_partition_migration', (url) =>
      mentorDataSourceOptions(url, 'mentor', 2),
    );
  });
  after(async () => {
    await db?.close();
  });

  void it('partitions tables holding data by day, alert workflow included, and reverts to the same tables', async () => {
    await db.migrateTo(1764100000000);
    const now = Date.now();
    const placed = await seedTelemetry(
      db,
      [now, now - 3 * DAY, now - 500 * DAY, now + 2 * DAY],
      now,
    );
    await db.pool.query(
      `UPDATE alerts SET state = 'resolved', resolved_by = 'admin', resolved_at = now()
       WHERE ts < now() - interval '1 day'`,
    );
    const before = await Promise.all(TELEMETRY_TABLES.map((table) => db.describe(table)));

    assert.deepEqual(await db.migrateTo(), ['PartitionedTelemetry1764300000000']);
    await assertPartitioned(db, before, placed);
    await assert.rejects(
      db.pool.query(`UPDATE alerts SET state = 'bogus'`),
      /check constraint/,
      'the alert state check came along',
    );

    await db.revertLast();
    for (const [i, table] of TELEMETRY_TABLES.entries()) {
      assert.deepEqual(await db.describe(table), before[i], `${table} is back as it was`);
    }
    assert.deepEqual(await db.migrateTo(), ['PartitionedTelemetry1764300000000']);
  });
});
