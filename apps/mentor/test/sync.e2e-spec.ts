import { bearer, login } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { TEST_SERVICE_TOKEN } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const DEVICE = 'pull-device';

interface SyncResult {
  pulled: number;
  stored: number;
  pages: number;
  hasMore: boolean;
  lastSyncTime: string;
}

async function postMetrics(stack: Stack, count: number): Promise<string[]> {
  const body = Array.from({ length: count }, () => ({ id: randomUUID(), cpu_usage: 1 }));
  const response = await request<{ ids: string[] }>(
    'POST',
    `${stack.api}/devices/${DEVICE}/metrics`,
    { body, headers: stack.asDevice(DEVICE) },
  );
  assert.equal(response.status, 201);
  return response.body.ids;
}

/**
 * The export feed hands out rows only below the oldest transaction still open on the whole
 * PostgreSQL server (`pg_snapshot_xmin` is cluster-wide), so another test file's transaction on
 * the same server can hold back what one POST /sync returns. Waits until every transaction begun
 * before now has ended, so that each run's counts are exact.
 */
async function settle(stack: Stack): Promise<void> {
  const { rows } = await stack.devicesDb.query<{ mark: string }>(
    'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS mark',
  );
  await waitFor(
    async () => {
      const horizon = await stack.devicesDb.query<{ passed: boolean }>(
        'SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8 AS passed',
        [rows[0].mark],
      );
      return horizon.rows[0].passed;
    },
    { timeoutMs: 60_000, message: 'the transactions begun before this sync to end' },
  );
}

async function sync(stack: Stack, { settled = true } = {}): Promise<SyncResult> {
  if (settled) await settle(stack);
  const response = await request<SyncResult>('POST', `${stack.mentor!.url}/sync`, {
    headers: await stack.asAdmin(),
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

describe('Reconciliation by pull (Devices export feed, Mentor POST /sync)', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Devices does not forward at all: everything the mentor gets here comes by pull.
    stack = await Stack.start('pull', { forward: false, mentorEnv: { SYNC_PAGE_SIZE: '50' } });
    await stack.registerDevice(DEVICE, { device_name: 'Pulled' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('pulls every type of record stored on the Devices side, in pages', async () => {
    const metrics = await postMetrics(stack, 120);
    const activity = randomUUID();
    const alert = randomUUID();
    await request('POST', `${stack.api}/devices/${DEVICE}/activities`, {
      body: [{ id: activity, activity_type: 'login' }],
      headers: stack.asDevice(DEVICE),
    });
    await request('POST', `${stack.api}/devices/${DEVICE}/alerts`, {
      body: [{ id: alert, level: 'error', alert_type: 'disk' }],
      headers: stack.asDevice(DEVICE),
    });
    const snapshot = await request<{ ids: string[] }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/processes`,
      {
        body: [{ pid: 1, process_name: 'init' }],
        headers: stack.asDevice(DEVICE),
      },
    );

    const result = await sync(stack);
    assert.equal(result.pulled, 124);
    assert.equal(result.stored, 124);
    assert.equal(result.pages, 3);
    assert.equal(result.hasMore, false);
    assert.deepEqual(await stack.mentorIds('metrics'), [...metrics].sort());
    assert.deepEqual(await stack.mentorIds('activities'), [activity]);
    assert.deepEqual(await stack.mentorIds('alerts'), [alert]);
    assert.deepEqual(await stack.mentorIds('process_snapshots'), [snapshot.body.ids[0]]);
    const { rows } = await stack.mentorDb.query(
      'SELECT device_name FROM devices WHERE deviceid = $1',
      [DEVICE],
    );
    assert.equal(rows[0].device_name, 'Pulled');
  });

  it('pulls only what is new since the last run', async () => {
    const fresh = await postMetrics(stack, 2);
    const result = await sync(stack);
    assert.equal(result.pulled, 2);
    const stored = new Set(await stack.mentorIds('metrics'));
    for (const id of fresh) assert.ok(stored.has(id));
    assert.equal((await sync(stack)).pulled, 0);
  });

  it('does not skip a record whose transaction commits after a younger one', async () => {
    const late = randomUUID();
    const client = await stack.devicesDb.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO metrics (id, deviceid, ts, cpu_usage) VALUES ($1, $2, now(), 50)`,
        [late, DEVICE],
      );
      // A younger transaction commits while the older one is still open...
      const [early] = await postMetrics(stack, 1);
      await sync(stack, { settled: false });
      // ...and the cursor must not move past the older, still uncommitted row.
      assert.ok(!(await stack.mentorIds('metrics')).includes(late));
      await client.query('COMMIT');
      await sync(stack);
      const stored = await stack.mentorIds('metrics');
      assert.ok(stored.includes(late), 'the late-committing record arrived');
      assert.ok(stored.includes(early), 'the early-committing record arrived');
    } finally {
      client.release();
    }
  });

  it('reports its state and the connection to the Devices service', async () => {
    const status = await request<{
      connected: boolean;
      records_pulled: number;
      last_success_at: string;
      configured: boolean;
    }>('GET', `${stack.mentor!.url}/sync/status`, { headers: await stack.asAdmin() });
    assert.equal(status.status, 200);
    assert.equal(status.body.configured, true);
    assert.equal(status.body.connected, true);
    assert.ok(status.body.records_pulled >= 128);
    assert.ok(status.body.last_success_at);

    await stack.devices.stop();
    const failed = await request<{ message: string }>('POST', `${stack.mentor!.url}/sync`, {
      headers: await stack.asAdmin(),
    });
    assert.equal(failed.status, 502);
    assert.match(failed.body.message, /unreachable/);
    const down = await request<{ connected: boolean; last_error: string }>(
      'GET',
      `${stack.mentor!.url}/sync/status`,
      { headers: await stack.asAdmin() },
    );
    assert.equal(down.body.connected, false);
    assert.match(down.body.last_error, /unreachable/);
    await stack.devices.restart();
  });

  it('needs a session to read the status and an admin to pull', async () => {
    assert.equal((await request('GET', `${stack.mentor!.url}/sync/status`)).status, 401);
    assert.equal((await request('POST', `${stack.mentor!.url}/sync`)).status, 401);
    const admin = await stack.asAdmin();
    const created = await request('POST', `${stack.mentor!.url}/users`, {
      body: { username: 'sync-viewer', password: 'viewer-password-123', role: 'viewer' },
      headers: admin,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const viewer = bearer(
      (await login(stack.mentor!.url, 'sync-viewer', 'viewer-password-123')).access_token,
    );
    assert.equal(
      (await request('GET', `${stack.mentor!.url}/sync/status`, { headers: viewer })).status,
      200,
    );
    assert.equal(
      (await request('POST', `${stack.mentor!.url}/sync`, { headers: viewer })).status,
      403,
    );
  });

  it('guards the export feed with the service token and refuses unknown cursors', async () => {
    const none = await request('POST', `${stack.api}/export`, { body: {} });
    assert.equal(none.status, 401);
    const auth = { authorization: `Bearer ${TEST_SERVICE_TOKEN}` };
    const bad = await request('POST', `${stack.api}/export`, {
      body: { since: 'bm90LWEtY3Vyc29y' },
      headers: auth,
    });
    assert.equal(bad.status, 400);
    const tooMany = await request('POST', `${stack.api}/export`, {
      body: { limit: 100000 },
      headers: auth,
    });
    assert.equal(tooMany.status, 400);
    const page = await request<{ records: unknown[]; hasMore: boolean; cursor: string }>(
      'POST',
      `${stack.api}/export`,
      {
        body: { limit: 1 },
        headers: auth,
      },
    );
    assert.equal(page.status, 200);
    assert.equal(page.body.records.length, 1);
    assert.equal(page.body.hasMore, true);
    assert.match(page.body.cursor, /^[A-Za-z0-9_-]+$/);
  });
});

describe('Push and pull together', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start('pushpull', { proxy: true });
    await stack.registerDevice(DEVICE);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('leave no gap and no duplicate when pushes are lost and later redelivered', async () => {
    // Every other forwarded metrics request is committed by the mentor but its answer lost,
    // and the rest are refused at the connection: the push path falls behind.
    let n = 0;
    stack.proxy!.rule = (path) =>
      path === '/devices/metrics'
        ? n++ % 2 === 0
          ? { kind: 'drop-response' }
          : { kind: 'reset' }
        : { kind: 'pass' };
    const ids = await postMetrics(stack, 30);
    await waitFor(
      async () =>
        (await stack.devicesDb.query(`SELECT count(*)::int AS n FROM outbox WHERE attempts > 0`))
          .rows[0].n > 0,
      {
        message: 'failed pushes',
      },
    );
    await sync(stack);
    assert.deepEqual(await stack.mentorIds('metrics'), [...ids].sort(), 'pull filled the gap');

    stack.proxy!.rule = () => ({ kind: 'pass' });
    await waitFor(async () => (await stack.pendingOutbox()) === 0, {
      timeoutMs: 20_000,
      message: 'push to catch up',
    });
    const { rows } = await stack.mentorDb.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct FROM metrics',
    );
    assert.deepEqual([rows[0].n, rows[0].distinct], [30, 30]);
    const metrics = await request<string>('GET', `${stack.mentor!.url}/metrics`);
    assert.match(
      metrics.body,
      /^mentor_duplicates_absorbed_total\{data_type="metrics"\} [1-9]\d*$/m,
    );
  });
});
