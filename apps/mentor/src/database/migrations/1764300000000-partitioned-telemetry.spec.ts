import { checkPartitionMigration } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mentorDataSourceOptions } from '../mentor-data-source';

void describe('Mentor migration 1764300000000 (partitioned telemetry)', () => {
  void it('partitions tables holding data by day, alert workflow included, and reverts to the same tables', async () => {
    await checkPartitionMigration(
      'mentor_partition_migration',
      (url) => mentorDataSourceOptions(url, 'mentor', 2),
      {
        seeded: async (db) => {
          await db.pool.query(
            `UPDATE alerts SET state = 'resolved', resolved_by = 'admin', resolved_at = now()
             WHERE ts < now() - interval '1 day'`,
          );
        },
        partitioned: async (db) => {
          await assert.rejects(
            db.pool.query(`UPDATE alerts SET state = 'bogus'`),
            /check constraint/,
            'the alert state check came along',
          );
        },
      },
    );
  });
});
