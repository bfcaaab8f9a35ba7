import type { MigrationInterface, QueryRunner } from 'typeorm';

// A frozen copy of the metric fields at the time of this migration (a later field change gets
// its own migration), with their column types.
const FIELDS: [name: string, type: 'float8' | 'int8'][] = [
  ['cpu_usage', 'float8'],
  ['cpu_temp', 'float8'],
  ['memory_total', 'int8'],
  ['memory_used', 'int8'],
  ['swap_used', 'int8'],
  ['disk_total', 'int8'],
  ['disk_used', 'int8'],
  ['net_bytes_in', 'int8'],
  ['net_bytes_out', 'int8'],
];

/**
 * Per device and minute: the sample count and, per metric field, how many samples carried it,
 * their sum and their maximum. Ingest keeps it in the same transaction that stores the raw
 * rows, so a downsampled range of many hours aggregates one row per minute instead of every
 * sample (a day of 1-second samples: 1,440 rows instead of 86,400). Averages are sum / count at
 * read time. Sums are float8, byte counters too: exact while a minute's total stays below 2^53
 * (9 PB; a minute of 1-second 16 GiB readings is 1 TB); `numeric` made the read much slower.
 */
/**
 * Every column beside the key, carried in the primary key's index: a downsampled read is then an
 * index-only scan over one device's consecutive minutes (~45 index pages for a day) instead of a
 * heap page per minute, since live ingest interleaves all devices in time order
 * (docs/query-performance.md).
 */
export const ROLLUP_INCLUDE = [
  'samples',
  ...FIELDS.flatMap(([f]) => [`${f}_n`, `${f}_sum`, `${f}_max`]),
].join(', ');

export class MetricRollups1764200000000 implements MigrationInterface {
  name = 'MetricRollups1764200000000';

  async up(db: QueryRunner): Promise<void> {
    const columns = FIELDS.map(
      ([f, type]) =>
        `${f}_n integer NOT NULL DEFAULT 0, ${f}_sum float8 NOT NULL DEFAULT 0, ${f}_max ${type}`,
    );
    await db.query(`
      CREATE TABLE metric_rollups (
        deviceid text NOT NULL,
        ts timestamptz NOT NULL,
        samples integer NOT NULL,
        ${columns.join(',\n        ')},
        PRIMARY KEY (deviceid, ts) INCLUDE (${ROLLUP_INCLUDE})
      )`);
    const names = FIELDS.map(([f]) => `${f}_n, ${f}_sum, ${f}_max`).join(', ');
    const aggregates = FIELDS.map(
      ([f]) => `count(${f}), coalesce(sum(${f}::float8), 0), max(${f})`,
    ).join(', ');
    await db.query(`
      INSERT INTO metric_rollups (deviceid, ts, samples, ${names})
      SELECT deviceid, date_bin('1 minute', ts, timestamptz '2000-01-01 00:00:00+00'), count(*), ${aggregates}
        FROM metrics GROUP BY 1, 2`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE IF EXISTS metric_rollups');
  }
}
