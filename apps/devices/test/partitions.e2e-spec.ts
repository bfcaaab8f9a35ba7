import { ensureDailyPartitions, partitionName, utcDay } from '@app/platform';
import { request } from '@app/testing/http-client';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

const DEVICE = 'partitioned-device';
const DAY = 86_400_000;
const RETENTION_DAYS = 5;
const PREMAKE_DAYS = 10;

/** Midnight UTC `offset` days from today, plus `hours`. */
const dayAt = (offset: number, hours = 0): Date =>
  new Date(utcDay(Date.now()).getTime() + offset * DAY + hours * 3_600_000);

describe('Telemetry partitioned by day on both services', () => {
  let stack: Stack;
  const both = (): [string, Pool][] => [
    ['devices', stack.devicesDb],
    ['mentor', stack.mentorDb],
  ];

  beforeAll(async () => {
    const env = {
      RETENTION_DAYS: String(RETENTION_DAYS),
      PARTITION_PREMAKE_DAYS: String(PREMAKE_DAYS),
    };
    stack = await Stack.start('partitions', { devicesEnv: env, mentorEnv: env });
    await stack.registerDevice(DEVICE);
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function post(
    kind: 'metrics' | 'alerts',
    records: Record<string, unknown>[],
  ): Promise<{ stored: number; duplicates: number }> {
    const response = await request<{ stored: number; duplicates: number }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/${kind}`,
      { headers: stack.asDevice(DEVICE), body: records },
    );
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body;
  }

  const metric = (id: string, time?: Date): Record<string, unknown> => ({
    id,
    cpu_usage: 42,
    ...(time ? { timestamp: time.toISOString() } : {}),
  });
  const alert = (id: string, time?: Date): Record<string, unknown> => ({
    id,
    level: 'warning',
    alert_type: 'cpu_high',
    value: 95,
    threshold: 90,
    ...(time ? { timestamp: time.toISOString() } : {}),
  });

  /** Where each of `ids` is stored in `table` (partition name), on one service. */
  async function placement(db: Pool, table: string, ids: string[]): Promise<string[]> {
    const { rows } = await db.query<{ id: string; p: string }>(
      `SELECT id, tableoid::regclass::text AS p FROM ${table} WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row.p]));
    return ids.map((id) => byId.get(id) ?? 'missing');
  }

  async function atMentor(table: string, ids: string[]): Promise<void> {
    await waitFor(
      async () => (await placement(stack.mentorDb, table, ids)).every((p) => p !== 'missing'),
      { message: `${ids.length} ${table} at the mentor` },
    );
  }

  async function partitionsOf(db: Pool, table: string): Promise<string[]> {
    const { rows } = await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = $1::regclass`,
      [table],
    );
    return rows.map((row) => row.name);
  }

  async function openWarnings(): Promise<number | undefined> {
    const { rows } = await stack.mentorDb.query<{ n: number }>(
      `SELECT unresolved AS n FROM alert_counts WHERE deviceid = $1 AND level = 'warning'`,
      [DEVICE],
    );
    return rows[0]?.n;
  }

  it('stores a record in the partition of its day on Devices and forwards it into the same day at the Mentor', async () => {
    const today = randomUUID();
    const ahead = randomUUID();
    const now = new Date();
    const later = dayAt(3, 7);
    await post('metrics', [metric(today, now), metric(ahead, later)]);
    await atMentor('metrics', [today, ahead]);
    const expected = [
      partitionName('metrics', utcDay(now)),
      partitionName('metrics', utcDay(later)),
    ];
    for (const [, db] of both()) {
      assert.deepEqual(await placement(db, 'metrics', [today, ahead]), expected);
    }
  });

  it('stores a record retried without a timestamp once on Devices and once at the Mentor', async () => {
    const id = randomUUID();
    const alertId = randomUUID();
    const openBefore = (await openWarnings()) ?? 0;
    assert.equal((await post('metrics', [metric(id)])).stored, 1);
    assert.equal((await post('alerts', [alert(alertId)])).stored, 1);
    // A retry arrives later, so its receive time (its ts) differs; one with a device time of
    // another day is the same record too.
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const retry of [metric(id), metric(id, dayAt(2, 5))]) {
      const answer = await post('metrics', [retry]);
      assert.equal(answer.stored, 0);
      assert.equal(answer.duplicates, 1);
    }
    const alertRetry = await post('alerts', [alert(alertId), alert(alertId)]);
    assert.deepEqual([alertRetry.stored, alertRetry.duplicates], [0, 2]);

    await atMentor('metrics', [id]);
    await atMentor('alerts', [alertId]);
    await waitFor(async () => (await stack.pendingOutbox()) === 0, { message: 'outbox drained' });
    for (const [service, db] of both()) {
      for (const [table, key] of [
        ['metrics', id],
        ['alerts', alertId],
      ]) {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE id = $1`,
          [key],
        );
        assert.equal(rows[0].n, 1, `one ${table} row at ${service}`);
      }
    }
    const { rows } = await stack.devicesDb.query(
      `SELECT kind FROM record_ids WHERE id = ANY($1::uuid[]) ORDER BY kind`,
      [[id, alertId]],
    );
    assert.deepEqual(rows, [{ kind: 'alerts' }, { kind: 'metrics' }]);
    assert.equal(await openWarnings(), openBefore + 1, 'the alert is counted once');
  });

  describe(`after a restart, with RETENTION_DAYS=${RETENTION_DAYS}`, () => {
    const old = randomUUID();
    const oldAlert = randomUUID();
    const waiting = randomUUID();
    const expired = randomUUID();
    const expiredAlert = randomUUID();
    const future = randomUUID();
    const recent = randomUUID();
    const recentAlert = randomUUID();
    let openBefore: number | undefined;

    beforeAll(async () => {
      // Partitions of a day long past retention, as if the services had run back then.
      for (const [, db] of both()) {
        const client = await db.connect();
        try {
          for (const table of ['metrics', 'alerts']) {
            await ensureDailyPartitions(client, table, [dayAt(-10)]);
          }
        } finally {
          client.release();
        }
      }
      await post('metrics', [
        metric(old, dayAt(-10, 1)),
        metric(waiting, dayAt(-3, 1)),
        metric(expired, dayAt(-20, 1)),
        metric(future, dayAt(30, 1)),
        metric(recent, new Date()),
      ]);
      await post('alerts', [
        alert(oldAlert, dayAt(-10, 2)),
        alert(expiredAlert, dayAt(-20, 2)),
        alert(recentAlert, new Date()),
      ]);
      await atMentor('metrics', [old, waiting, expired, future, recent]);
      await atMentor('alerts', [oldAlert, expiredAlert, recentAlert]);
      openBefore = await openWarnings();
      for (const [service, db] of both()) {
        assert.deepEqual(
          await placement(db, 'metrics', [old, waiting, expired, future]),
          [partitionName('metrics', dayAt(-10)), ...Array<string>(3).fill('metrics_default')],
          `where ${service} stored them before the restart`,
        );
      }
      // Every row deleted one by one is written down; dropping a partition writes nothing.
      for (const [schema, db] of both()) {
        await db.query(`CREATE TABLE deleted_rows (id uuid)`);
        await db.query(`
          CREATE FUNCTION note_delete() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN INSERT INTO ${schema}.deleted_rows VALUES (OLD.id); RETURN OLD; END $$`);
        for (const table of ['metrics', 'alerts']) {
          await db.query(
            `CREATE TRIGGER note_delete BEFORE DELETE ON ${table}
             FOR EACH ROW EXECUTE FUNCTION note_delete()`,
          );
        }
      }
      // The maintenance job runs at start (and every RETENTION_INTERVAL).
      await stack.devices.restart();
      await stack.mentor!.restart();
      for (const service of [stack.devices, stack.mentor!]) {
        await waitFor(
          async () =>
            /partition_default_rows\{table="alerts"\}/.test(
              (await request<string>('GET', `${service.url}/metrics`)).body,
            ),
          { message: `the first maintenance run of ${service.name}` },
        );
      }
    });

    async function deletedRowByRow(db: Pool, ids: string[]): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM deleted_rows WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      return rows.map((row) => row.id);
    }

    it('drops partitions past RETENTION_DAYS whole on both services, not row by row', async () => {
      for (const [service, db] of both()) {
        for (const table of ['metrics', 'alerts']) {
          const name = partitionName(table, dayAt(-10));
          assert.ok(!(await partitionsOf(db, table)).includes(name), `${name} at ${service}`);
          const { rowCount } = await db.query(`SELECT 1 FROM pg_class WHERE relname = $1`, [name]);
          assert.equal(rowCount, 0, `${name} is gone from ${service}, not just detached`);
        }
        assert.deepEqual(await placement(db, 'metrics', [old, recent]), [
          'missing',
          partitionName('metrics', utcDay(Date.now())),
        ]);
        assert.deepEqual(await placement(db, 'alerts', [oldAlert]), ['missing']);
        assert.deepEqual(await deletedRowByRow(db, [old, oldAlert]), [], service);
      }
    });

    it("takes alerts removed by retention out of the Mentor's open-alert counts", async () => {
      assert.equal(await openWarnings(), openBefore! - 2);
      const devices = await request<{ deviceid: string; open_alerts: Record<string, number> }[]>(
        'GET',
        `${stack.mentor!.url}/devices`,
        { headers: await stack.asAdmin() },
      );
      const device = devices.body.find((d) => d.deviceid === DEVICE);
      assert.equal(device?.open_alerts.warning, openBefore! - 2);
    });

    it('moves a row within retention out of the default partition into a partition made for its day', async () => {
      for (const [, db] of both()) {
        assert.deepEqual(await placement(db, 'metrics', [waiting]), [
          partitionName('metrics', dayAt(-3)),
        ]);
      }
    });

    it('deletes rows past retention from the default partition and forgets their ids', async () => {
      for (const [service, db] of both()) {
        assert.deepEqual(await placement(db, 'metrics', [expired]), ['missing'], service);
        assert.deepEqual(await placement(db, 'alerts', [expiredAlert]), ['missing'], service);
        assert.deepEqual(
          (await deletedRowByRow(db, [expired, expiredAlert])).sort(),
          [expired, expiredAlert].sort(),
          `${service} deleted them from the default partition`,
        );
      }
      const { rows } = await stack.devicesDb.query(
        `SELECT id FROM record_ids WHERE id = ANY($1::uuid[])`,
        [[old, oldAlert, expired, expiredAlert]],
      );
      assert.deepEqual(rows, []);
    });

    it('keeps rows dated beyond the premade days in the default partition and reports them', async () => {
      for (const [service, db] of both()) {
        assert.deepEqual(await placement(db, 'metrics', [future]), ['metrics_default'], service);
      }
      for (const service of [stack.devices, stack.mentor!]) {
        const scrape = (await request<string>('GET', `${service.url}/metrics`)).body;
        assert.match(scrape, /partition_default_rows\{table="metrics"\} 1\n/, service.name);
      }
    });

    it('keeps partitions for today and the next PARTITION_PREMAKE_DAYS days', async () => {
      for (const [service, db] of both()) {
        for (const table of ['metrics', 'activities', 'alerts']) {
          const names = await partitionsOf(db, table);
          for (let day = 0; day <= PREMAKE_DAYS; day++) {
            const name = partitionName(table, dayAt(day));
            assert.ok(names.includes(name), `${name} at ${service}`);
          }
        }
      }
    });
  });
});
