import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { convertToPartitioned, convertToPlain } from './partition-migration';
import {
  partitionName,
  premadeDays,
  retentionCutoff,
  type PartitionedTable,
  type PartitionPolicy,
} from './partition-layout';
import { ensureDailyPartitions, listPartitions } from './partitions';
import { maintainPartitions } from './partition-maintainer';

const DAY = 86_400_000;
/** A fixed "now", so the spec does not depend on the day it runs. */
const NOW = new Date('2031-03-10T15:30:00Z');
const day = (offset: number): Date => new Date(Date.UTC(2031, 2, 10 + offset));
const at = (offset: number, hour = 12): string =>
  new Date(day(offset).getTime() + hour * 3_600_000).toISOString();

const POLICY: PartitionPolicy = { retentionDays: 5, premakeDays: 3, lockTimeoutMs: 2000 };

/** Keeps per-state row counts, the way the Mentor keeps alert counters. */
const READINGS: PartitionedTable = {
  name: 'readings',
  onRemove: (removed) => `
    UPDATE reading_counts c SET n = c.n - r.n
    FROM (SELECT state, count(*)::int AS n FROM ${removed} GROUP BY state) r
    WHERE c.state = r.state`,
};

describe('Daily partitions', () => {
  it('names a partition by its UTC day and keeps rows between RETENTION_DAYS and one day more', () => {
    assert.equal(partitionName('metrics', day(0)), 'metrics_p20310310');
    assert.deepEqual(retentionCutoff(NOW, 5), day(-5));
    assert.deepEqual(retentionCutoff(new Date('2031-03-10T00:00:00Z'), 1), day(-1));
    assert.deepEqual(premadeDays(NOW, 2), [day(0), day(1), day(2)]);
  });
});

describe('Partition maintenance against PostgreSQL', () => {
  let pool: Pool;
  let dbName: string;

  beforeAll(async () => {
    const db = await createTestDatabase('partitions');
    dbName = db.name;
    // A session time zone west of UTC: bounds and days must not shift with it.
    pool = new Pool({
      connectionString: db.url,
      max: 4,
      options: '-c search_path=p -c TimeZone=America/Los_Angeles',
    });
    await pool.query('CREATE SCHEMA p');
  });
  afterAll(async () => {
    await pool?.end();
    if (dbName) await dropTestDatabase(dbName);
  });

  beforeEach(async () => {
    await pool.query('DROP TABLE IF EXISTS readings, reading_counts, reading_ids, deleted_rows');
    await pool.query(`
      CREATE TABLE readings (
        id uuid PRIMARY KEY,
        ts timestamptz NOT NULL,
        v integer,
        state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done'))
      )`);
    await pool.query('CREATE INDEX readings_v_idx ON readings (v, ts DESC)');
    await pool.query(`CREATE TABLE reading_counts (state text PRIMARY KEY, n integer NOT NULL)`);
    await pool.query(`INSERT INTO reading_counts VALUES ('open', 0), ('done', 0)`);
    await pool.query(`CREATE TABLE reading_ids (id uuid PRIMARY KEY, ts timestamptz NOT NULL)`);
    // Every row deleted one by one is written down here; dropping a partition writes nothing.
    await pool.query(`CREATE TABLE deleted_rows (id uuid, ts timestamptz)`);
    await pool.query(`
      CREATE OR REPLACE FUNCTION note_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO deleted_rows VALUES (OLD.id, OLD.ts); RETURN OLD; END $$`);
  });

  async function insert(ts: string, state = 'open'): Promise<string> {
    const id = randomUUID();
    await pool.query(`INSERT INTO readings (id, ts, v, state) VALUES ($1, $2, 1, $3)`, [
      id,
      ts,
      state,
    ]);
    if (state === 'open')
      await pool.query(`UPDATE reading_counts SET n = n + 1 WHERE state = 'open'`);
    await pool.query(`INSERT INTO reading_ids VALUES ($1, $2)`, [id, ts]);
    return id;
  }

  async function partitionOf(id: string): Promise<string | undefined> {
    const { rows } = await pool.query<{ p: string }>(
      'SELECT tableoid::regclass::text AS p FROM readings WHERE id = $1',
      [id],
    );
    return rows[0]?.p;
  }

  async function indexesOf(table: string): Promise<string[]> {
    const { rows } = await pool.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'p' AND tablename = $1 ORDER BY indexname`,
      [table],
    );
    return rows.map((row) => row.indexdef);
  }

  async function partitionNames(): Promise<string[]> {
    return (await listPartitions(pool, 'readings')).map((p) => p.name).sort();
  }

  /** How a TypeORM migration runs SQL: a SELECT answers its rows. */
  const migrationSql = {
    query: async (sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows,
  };

  /** Partitions made through one session, as the job does (each is a transaction). */
  async function ensure(days: Date[]): Promise<void> {
    const client = await pool.connect();
    try {
      await ensureDailyPartitions(client, 'readings', days);
    } finally {
      client.release();
    }
  }

  async function convert(): Promise<void> {
    await convertToPartitioned(
      migrationSql,
      {
        table: 'readings',
        indexes: [{ name: 'readings_v_idx', columns: 'v, ts DESC' }],
      },
      NOW,
    );
    await pool.query(
      'CREATE TRIGGER note_delete BEFORE DELETE ON readings FOR EACH ROW EXECUTE FUNCTION note_delete()',
    );
  }

  const run = (now = NOW, policy = POLICY): ReturnType<typeof maintainPartitions> =>
    maintainPartitions(pool, [READINGS], [{ table: 'reading_ids', column: 'ts' }], policy, now);

  it('converts a table with rows: every row kept in the partition of its day, same indexes and constraints', async () => {
    const today = await insert(at(0));
    const old = await insert(at(-3), 'done');
    const ancient = await insert(new Date(NOW.getTime() - 400 * DAY).toISOString());
    await convert();
    assert.equal(await partitionOf(today), 'readings_p20310310');
    assert.equal(await partitionOf(old), 'readings_p20310307');
    assert.equal(await partitionOf(ancient), 'readings_default', 'more than a year old');
    const names = await partitionNames();
    for (let i = 0; i <= 7; i++) assert.ok(names.includes(partitionName('readings', day(i))));
    assert.deepEqual(await indexesOf('readings'), [
      'CREATE UNIQUE INDEX readings_pkey ON ONLY p.readings USING btree (id, ts)',
      'CREATE INDEX readings_v_idx ON ONLY p.readings USING btree (v, ts DESC)',
    ]);
    await assert.rejects(
      pool.query(`INSERT INTO readings (id, ts, state) VALUES ($1, $2, 'bogus')`, [
        randomUUID(),
        at(0),
      ]),
      /check constraint/,
    );
    const { rows } = await pool.query(`SELECT state FROM readings WHERE id = $1`, [old]);
    assert.deepEqual(rows, [{ state: 'done' }]);
  });

  it('converts back to one plain table keyed by id with every row', async () => {
    const ids = [await insert(at(0)), await insert(at(-2)), await insert(at(30))];
    await convert();
    await pool.query('DROP TRIGGER note_delete ON readings');
    await convertToPlain(migrationSql, {
      table: 'readings',
      indexes: [{ name: 'readings_v_idx', columns: 'v, ts DESC' }],
    });
    const { rows } = await pool.query<{ relkind: string }>(
      `SELECT relkind FROM pg_class WHERE oid = 'readings'::regclass`,
    );
    assert.equal(rows[0].relkind, 'r');
    assert.deepEqual(
      (await pool.query(`SELECT id FROM readings ORDER BY id`)).rows.map((r) => r.id),
      [...ids].sort(),
    );
    assert.deepEqual(await indexesOf('readings'), [
      'CREATE UNIQUE INDEX readings_pkey ON p.readings USING btree (id)',
      'CREATE INDEX readings_v_idx ON p.readings USING btree (v, ts DESC)',
    ]);
    const { rowCount } = await pool.query(
      `SELECT 1 FROM pg_class WHERE relname ~ '^readings_(p[0-9]{8}|default)$'`,
    );
    assert.equal(rowCount, 0);
  });

  it('creates the partitions of today and the next days ahead of time, once', async () => {
    await convert();
    const later = new Date(NOW.getTime() + 6 * DAY);
    const first = await run(later);
    assert.deepEqual(first.errors, []);
    assert.deepEqual(first.created, [
      partitionName('readings', day(8)),
      partitionName('readings', day(9)),
    ]);
    const second = await run(later);
    assert.deepEqual(second.created, []);
    const id = await insert(at(9, 23));
    assert.equal(await partitionOf(id), 'readings_p20310319');
    // New partitions get the parent's indexes and constraints.
    assert.equal((await indexesOf('readings_p20310319')).length, 2);
  });

  it('moves rows waiting in the default partition into the partition made for their day', async () => {
    await convert();
    const future = await insert(at(12));
    const recent = await insert(at(-2));
    assert.equal(await partitionOf(future), 'readings_default');
    assert.equal(await partitionOf(recent), 'readings_default');
    const report = await run();
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.created, [partitionName('readings', day(-2))]);
    assert.equal(report.moved, 1);
    assert.equal(await partitionOf(recent), 'readings_p20310308');
    assert.equal(await partitionOf(future), 'readings_default', 'beyond the premade days it waits');
    assert.deepEqual(report.inDefault, { readings: 1 });
    // Once its day is premade, it moves too.
    const later = await run(new Date(NOW.getTime() + 10 * DAY));
    assert.ok(later.created.includes(partitionName('readings', day(12))));
    assert.equal(await partitionOf(future), 'readings_p20310322');
    assert.deepEqual(later.inDefault, { readings: 0 });
  });

  it('drops partitions past the retention cut-off whole, without deleting row by row', async () => {
    await convert();
    await ensure([day(-9), day(-6), day(-5)]);
    const old = [await insert(at(-9)), await insert(at(-9), 'done'), await insert(at(-6))];
    const kept = [await insert(at(-5, 0)), await insert(at(0))];
    const report = await run();
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.dropped.sort(), ['readings_p20310301', 'readings_p20310304']);
    const names = await partitionNames();
    assert.ok(!names.includes('readings_p20310301'));
    assert.ok(names.includes('readings_p20310305'));
    const { rowCount: gone } = await pool.query(
      `SELECT 1 FROM pg_class WHERE relname IN ('readings_p20310301', 'readings_p20310304')`,
    );
    assert.equal(gone, 0, 'the tables are gone, not just detached');
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM readings ORDER BY id');
    assert.deepEqual(
      rows.map((r) => r.id),
      [...kept].sort(),
    );
    assert.equal((await pool.query('SELECT * FROM deleted_rows')).rowCount, 0);
    // The onRemove statement saw exactly the dropped rows: two open ones left the counter.
    const { rows: counts } = await pool.query(`SELECT n FROM reading_counts WHERE state = 'open'`);
    assert.deepEqual(counts, [{ n: 2 }]);
    // Their ids were pruned with the same cut-off.
    const { rows: ids } = await pool.query<{ id: string }>(
      'SELECT id FROM reading_ids ORDER BY id',
    );
    assert.deepEqual(
      ids.map((r) => r.id),
      [...kept].sort(),
    );
    assert.equal(report.companionRows, old.length);
  });

  it('deletes expired rows from the default partition in slices and keeps the rest', async () => {
    await convert();
    const expired = [];
    for (let i = 0; i < 5; i++) expired.push(await insert(at(-20 - i)));
    const future = await insert(at(40));
    const report = await run(NOW, { ...POLICY, slice: 2 });
    assert.deepEqual(report.errors, []);
    assert.equal(report.expiredFromDefault, 5);
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM readings');
    assert.deepEqual(
      rows.map((r) => r.id),
      [future],
    );
    const { rows: deleted } = await pool.query<{ id: string }>('SELECT id FROM deleted_rows');
    assert.deepEqual(deleted.map((r) => r.id).sort(), [...expired].sort());
    const { rows: counts } = await pool.query(`SELECT n FROM reading_counts WHERE state = 'open'`);
    assert.deepEqual(counts, [{ n: 1 }], 'the expired open rows left the counter');
    assert.deepEqual(report.inDefault, { readings: 1 });
  });

  it('gives up on a lock held by a long query and drops the partition on the next run', async () => {
    await convert();
    await ensure([day(-8)]);
    await insert(at(-8));
    const reader = await pool.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM readings');
      // The reader holds its lock until the end of this block: a run that waited for it would
      // never return.
      const blocked = await run(NOW, { ...POLICY, lockTimeoutMs: 200 });
      assert.deepEqual(blocked.dropped, []);
      assert.match(blocked.errors.join('\n'), /dropping readings_p20310302: .*lock timeout/);
      assert.ok((await partitionNames()).includes('readings_p20310302'));
    } finally {
      await reader.query('COMMIT');
      reader.release();
    }
    const next = await run();
    assert.deepEqual(next.dropped, ['readings_p20310302']);
    // The session the job used is back to normal for the pool.
    const { rows } = await pool.query<{ t: string }>(`SELECT current_setting('lock_timeout') AS t`);
    assert.equal(rows[0].t, '0');
  });

  it('survives its connection being cut while it waits for a lock, and finishes the work on the next run', async () => {
    await convert();
    await ensure([day(-8)]);
    const reader = await pool.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM readings');
      const running = run(NOW, { ...POLICY, lockTimeoutMs: 30_000 });
      const outcome = running.then(
        () => 'finished',
        () => 'failed',
      );
      let waiting: number | undefined;
      for (let i = 0; i < 100 && waiting === undefined; i++) {
        const { rows } = await pool.query<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'readings'::regclass`,
        );
        waiting = rows[0]?.pid;
        if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(waiting, 'the job waits for the table lock');
      await pool.query('SELECT pg_terminate_backend($1)', [waiting]);
      assert.equal(await outcome, 'failed');
    } finally {
      await reader.query('COMMIT');
      reader.release();
    }
    assert.deepEqual((await run()).dropped, ['readings_p20310302']);
  });

  it('does nothing while another replica is maintaining the same schema', async () => {
    await convert();
    const other = await pool.connect();
    try {
      await other.query(
        `SELECT pg_advisory_lock(hashtext('raqeem:partitions:' || current_schema()))`,
      );
      const report = await run(new Date(NOW.getTime() + 6 * DAY));
      assert.equal(report.skipped, true);
      assert.deepEqual(report.created, []);
    } finally {
      await other.query(`SELECT pg_advisory_unlock_all()`);
      other.release();
    }
    assert.equal((await run(new Date(NOW.getTime() + 6 * DAY))).created.length, 2);
  });
});
