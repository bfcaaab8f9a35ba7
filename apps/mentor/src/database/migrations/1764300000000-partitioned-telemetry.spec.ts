import { checkPartitionMigration } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { ROLLUPS_FROM_RAW } from '../../telemetry/metric-rollup.sql';
import { mentorDataSourceOptions } from '../mentor-data-source';

describe('Mentor migration 1764300000000 (partitioned telemetry)', () => {
  it('partitions tables holding data by day, alert workflow included, and reverts to the same tables', async () => {
    await checkPartitionMigration(
      'mentor_partition_migration',
      (url) => mentorDataSourceOptions(url, 'mentor', 2),
      {
        seeded: async (db) => {
          await db.pool.query(
            `UPDATE alerts SET state = 'resolved', resolved_by = 'admin', resolved_at = now()
             WHERE ts < now() - interval '1 day'`,
          );
          await db.pool.query(ROLLUPS_FROM_RAW);
        },
        partitioned: async (db) => {
          await assert.rejects(
            db.pool.query(`UPDATE alerts SET state = 'bogus'`),
            /check constraint/,
            'the alert state check came along',
          );
          const { rows } = await db.pool.query<{
            partitioned: boolean;
            rollups: number;
            minutes: number;
          }>(`
            SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'metric_rollups'::regclass) AS partitioned,
                   (SELECT count(*)::int FROM metric_rollups) AS rollups,
                   (SELECT count(DISTINCT (deviceid, date_trunc('minute', ts)))::int FROM metrics) AS minutes`);
          assert.equal(rows[0].partitioned, true, 'the rollups are partitioned by day too');
          const { rows: key } = await db.pool.query<{ pk: string }>(
            `SELECT pg_get_constraintdef(oid) AS pk FROM pg_constraint
              WHERE conrelid = 'metric_rollups'::regclass AND contype = 'p'`,
          );
          assert.match(key[0].pk, /^PRIMARY KEY \(deviceid, ts\) INCLUDE \(samples, /);
          assert.ok(rows[0].minutes > 0);
          assert.equal(rows[0].rollups, rows[0].minutes, 'every rollup row came along');
        },
        reverted: async (db) => {
          const { rows } = await db.pool.query<{ kind: string; pk: string; n: number }>(`
            SELECT c.relkind AS kind, pg_get_constraintdef(k.oid) AS pk,
                   (SELECT count(*)::int FROM metric_rollups) AS n
              FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
             WHERE c.oid = 'metric_rollups'::regclass`);
          assert.equal(rows[0].kind, 'r', 'the rollups are a plain table again');
          assert.match(
            rows[0].pk,
            /^PRIMARY KEY \(deviceid, ts\) INCLUDE \(samples, cpu_usage_n, /,
          );
          assert.ok(rows[0].n > 0);
        },
      },
    );
  });
});
