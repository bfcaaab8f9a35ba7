import { TELEMETRY_FIELD_COLUMNS } from '@app/contracts';
import { bearer, login } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const BUSY = 'busy-laptop';
const IDLE = 'idle-server';
const EMPTY = 'empty-device';
const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

interface DeviceView {
  deviceid: string;
  device_name: string | null;
  online: boolean;
  last_seen_at: string | null;
  latest: { cpu_usage: number; memory_used: number; memory_total: number } | null;
  open_alerts: Record<string, number>;
}

interface Bucket {
  bucket: string;
  samples: number;
  cpu_usage_avg: number;
  cpu_usage_max: number;
  memory_used_max: number;
}

interface AlertView {
  id: string;
  state: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  resolved_at: string | null;
}

interface Summary {
  devices: { total: number; online: number; offline: number };
  open_alerts_by_level: Record<string, number>;
  busiest: { deviceid: string }[];
}

interface Sample {
  id: string;
  timestamp: string;
  cpu_usage: number;
  memory_used: number;
}

describe('Mentor query API', () => {
  let stack: Stack;
  let mentor: string;
  const samples: Sample[] = [];
  const sameTime: string[] = [];
  const alertIds: Record<string, string> = {};

  /** A device's own post (registration enrols it with the secret and keeps its token). */
  async function post(path: string, body: unknown): Promise<void> {
    if (path === '/devices/register') {
      const { deviceid, ...info } = body as { deviceid: string };
      await stack.registerDevice(deviceid, info);
      return;
    }
    const deviceid = path.split('/')[2];
    const response = await request('POST', `${stack.api}${path}`, {
      body,
      headers: stack.asDevice(deviceid),
    });
    assert.equal(response.status, 201, `${path}: ${JSON.stringify(response.body)}`);
  }

  /** A signed-in admin's read. */
  async function get<T = Record<string, unknown>[]>(path: string) {
    return request<T>('GET', `${mentor}${path}`, { headers: await stack.asAdmin() });
  }

  /** A signed-in admin's action. */
  async function act<T = unknown>(path: string) {
    return request<T>('POST', `${mentor}${path}`, { headers: await stack.asAdmin() });
  }

  beforeAll(async () => {
    // A short online window, so devices that went quiet turn offline within the test.
    stack = await Stack.start('query', { mentorEnv: { ONLINE_WINDOW: '3s' } });
    mentor = stack.mentor!.url;
    await stack.setUp(async () => {
      await post('/devices/register', { deviceid: BUSY, device_name: 'Busy Laptop', os: 'linux' });
      await post('/devices/register', { deviceid: IDLE, device_name: 'Idle Server' });
      await post('/devices/register', { deviceid: EMPTY, device_name: 'Empty' });
      // Ten minutes of one-second samples with a deterministic shape.
      for (let i = 0; i < 600; i++) {
        samples.push({
          id: randomUUID(),
          timestamp: iso(T0 + i * 1000),
          cpu_usage: (i * 7) % 100,
          memory_used: 1000 + i,
        });
      }
      for (let i = 0; i < samples.length; i += 200)
        await post(`/devices/${BUSY}/metrics`, samples.slice(i, i + 200));
      // Seven samples sharing one timestamp, for paging.
      const tie = Array.from({ length: 7 }, () => ({
        id: randomUUID(),
        timestamp: iso(T0 - 60_000),
        cpu_usage: 1,
      }));
      sameTime.push(...tie.map((t) => t.id));
      await post(`/devices/${BUSY}/metrics`, tie);
      // The busy laptop is online now; the idle server was last seen a day ago.
      await post(`/devices/${BUSY}/metrics`, {
        cpu_usage: 88.5,
        memory_used: 6e9,
        memory_total: 8e9,
      });
      await post(`/devices/${IDLE}/metrics`, {
        timestamp: iso(Date.now() - 86_400_000),
        cpu_usage: 3,
      });
      for (const [key, level] of [
        ['crit', 'critical'],
        ['warn', 'warning'],
        ['info', 'info'],
      ] as const) {
        alertIds[key] = randomUUID();
        await post(`/devices/${BUSY}/alerts`, [
          { id: alertIds[key], level, alert_type: `t-${key}`, value: 1 },
        ]);
      }
      await post(`/devices/${BUSY}/activities`, [
        { activity_type: 'login', timestamp: iso(T0) },
        { activity_type: 'app_focus', app: 'code', timestamp: iso(T0 + 1000) },
      ]);
      await post(`/devices/${BUSY}/processes`, [
        { pid: 1, process_name: 'init', cpu: 0.1, memory: 5000 },
        { pid: 2, process_name: 'node', cpu: 80, memory: 1000 },
        { pid: 3, process_name: 'postgres', cpu: 10, memory: 90000 },
      ]);
      let state = '';
      await waitFor(
        async () => {
          const pending = await stack.pendingOutbox();
          const atMentor = (await stack.mentorIds('metrics')).length;
          state = `${pending} record(s) pending, ${atMentor} of 609 metrics at the mentor`;
          return pending === 0 && atMentor === 609;
        },
        { timeoutMs: 20_000, message: () => `everything forwarded (${state})` },
      );
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** Waits until only the busy laptop has been heard from within the online window. */
  async function onlyBusyOnline(): Promise<void> {
    // The busy laptop may have gone quiet too on a slow run: wait for the other two only.
    await waitFor(
      async () => {
        const offline = await get<{ deviceid: string }[]>('/devices?status=offline');
        const ids = offline.body.map((d) => d.deviceid);
        return ids.includes(IDLE) && ids.includes(EMPTY);
      },
      { message: 'the quiet devices to go offline' },
    );
    await post(`/devices/${BUSY}/metrics`, {
      cpu_usage: 88.5,
      memory_used: 6e9,
      memory_total: 8e9,
    });
    await waitFor(async () => (await get<unknown[]>('/devices?status=online')).body.length === 1, {
      message: 'the busy laptop to be online',
    });
  }

  it('lists devices with online state, last seen, latest sample and open alert counts', async () => {
    await onlyBusyOnline();
    const response = await get<DeviceView[]>('/devices');
    assert.equal(response.status, 200);
    // Most recently seen first: a registration counts as being seen.
    const byId = Object.fromEntries(response.body.map((d) => [d.deviceid, d]));
    assert.deepEqual(
      response.body.map((d) => d.deviceid),
      [BUSY, EMPTY, IDLE],
    );
    assert.equal(byId[BUSY].online, true);
    assert.equal(byId[IDLE].online, false);
    assert.equal(byId[EMPTY].online, false);
    assert.equal(byId[BUSY].latest?.cpu_usage, 88.5);
    assert.equal(byId[BUSY].latest?.memory_used, 6e9);
    assert.equal(byId[BUSY].latest?.memory_total, 8e9);
    assert.deepEqual(byId[BUSY].open_alerts, { critical: 1, warning: 1, info: 1 });
    assert.equal(byId[EMPTY].latest, null);
    assert.ok(byId[IDLE].last_seen_at);

    assert.deepEqual(
      (await get<{ deviceid: string }[]>('/devices?search=laptop')).body.map((d) => d.deviceid),
      [BUSY],
    );
    assert.deepEqual(
      (await get<{ deviceid: string }[]>('/devices?status=online')).body.map((d) => d.deviceid),
      [BUSY],
    );
    const page1 = (await get<{ deviceid: string; last_seen_at: string }[]>('/devices?limit=1'))
      .body;
    const page2 = (
      await get<{ deviceid: string }[]>(
        `/devices?limit=5&before=${page1[0].last_seen_at}&before_id=${page1[0].deviceid}`,
      )
    ).body;
    assert.deepEqual(
      page2.map((d) => d.deviceid),
      [EMPTY, IDLE],
    );
  });

  it('shows one device and answers 404 for an unknown one', async () => {
    const device = await get<Record<string, unknown>>(`/devices/${BUSY}`);
    assert.equal(device.status, 200);
    assert.equal(device.body.device_name, 'Busy Laptop');
    assert.equal((await get(`/devices/no-such-device`)).status, 404);
    for (const path of ['metrics', 'metrics?points=300', 'activities', 'alerts', 'processes']) {
      assert.equal((await get(`/devices/no-such-device/${path}`)).status, 404, path);
    }
  });

  it('returns raw metrics newest first within [from, to), with their devices-side ids', async () => {
    const response = await get<Sample[]>(
      `/devices/${BUSY}/metrics?from=${iso(T0 + 10_000)}&to=${iso(T0 + 20_000)}&limit=1000`,
    );
    assert.equal(response.status, 200);
    const expected = samples.slice(10, 20).reverse();
    assert.deepEqual(
      response.body.map((s) => s.id),
      expected.map((s) => s.id),
    );
    assert.equal(new Date(response.body[0].timestamp).toISOString(), expected[0].timestamp);
    assert.equal(response.body[0].memory_used, expected[0].memory_used);
  });

  it('pages across equal timestamps without skipping or repeating a record', async () => {
    const seen: string[] = [];
    let path = `/devices/${BUSY}/metrics?to=${iso(T0)}&limit=3`;
    for (let page = 0; page < 5; page++) {
      const rows = (await get<{ id: string; timestamp: string }[]>(path)).body;
      if (rows.length === 0) break;
      seen.push(...rows.map((r) => r.id));
      const last = rows.at(-1)!;
      path = `/devices/${BUSY}/metrics?to=${iso(T0)}&limit=3&before=${new Date(last.timestamp).toISOString()}&before_id=${last.id}`;
    }
    assert.equal(seen.length, 7);
    assert.deepEqual([...seen].sort(), [...sameTime].sort());
  });

  it('downsamples a range in SQL into at most N buckets whose averages and maxima match the raw rows', async () => {
    const response = await get<Bucket[]>(
      `/devices/${BUSY}/metrics?from=${iso(T0)}&to=${iso(T0 + 600_000)}&points=10`,
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.length, 10);
    const buckets = [...response.body].reverse();
    buckets.forEach((bucket, b) => {
      const inBucket = samples.slice(b * 60, b * 60 + 60);
      assert.equal(new Date(bucket.bucket).toISOString(), iso(T0 + b * 60_000));
      assert.equal(bucket.samples, 60);
      const avg = inBucket.reduce((sum, s) => sum + s.cpu_usage, 0) / 60;
      assert.ok(Math.abs(bucket.cpu_usage_avg - avg) < 1e-9, `bucket ${b} avg`);
      assert.equal(bucket.cpu_usage_max, Math.max(...inBucket.map((s) => s.cpu_usage)));
      assert.equal(bucket.memory_used_max, Math.max(...inBucket.map((s) => s.memory_used)));
    });
    // 7 points over 600 s: 86 s buckets, never more than 7, every sample counted once.
    const odd = await get<{ samples: number }[]>(
      `/devices/${BUSY}/metrics?from=${iso(T0)}&to=${iso(T0 + 600_000)}&points=7`,
    );
    assert.ok(odd.body.length <= 7);
    assert.equal(
      odd.body.reduce((sum, b) => sum + b.samples, 0),
      600,
    );
  });

  it('answers a range that starts and ends mid-minute from rollups and raw rows exactly as the raw rows would', async () => {
    interface FullBucket extends Bucket {
      bucket_end: string;
      memory_used_avg: number | null;
    }
    // The seven untimed-memory samples at T0 - 60 s fall in the first bucket.
    const all = [
      ...samples,
      ...sameTime.map(() => ({ timestamp: iso(T0 - 60_000), cpu_usage: 1, memory_used: null })),
    ];
    const from = T0 - 90_500;
    const to = T0 + 570_250;
    const response = await get<FullBucket[]>(
      `/devices/${BUSY}/metrics?from=${iso(from)}&to=${iso(to)}&points=5`,
    );
    assert.equal(response.status, 200);
    const buckets = [...response.body].reverse();
    assert.ok(buckets.length <= 5);
    // Contiguous buckets covering exactly [from, to).
    assert.equal(Date.parse(buckets[0].bucket), from);
    assert.equal(Date.parse(buckets.at(-1)!.bucket_end), to);
    for (let b = 1; b < buckets.length; b++)
      assert.equal(buckets[b].bucket, buckets[b - 1].bucket_end);
    for (const bucket of buckets) {
      const start = Date.parse(bucket.bucket);
      const end = Date.parse(bucket.bucket_end);
      const inside = all.filter(
        (s) => Date.parse(s.timestamp) >= start && Date.parse(s.timestamp) < end,
      );
      assert.equal(bucket.samples, inside.length, `samples of ${bucket.bucket}`);
      const cpu = inside.map((s) => s.cpu_usage);
      const memory = inside.map((s) => s.memory_used).filter((m): m is number => m !== null);
      assert.ok(
        Math.abs(bucket.cpu_usage_avg - cpu.reduce((a, c) => a + c, 0) / cpu.length) < 1e-9,
      );
      assert.equal(bucket.cpu_usage_max, Math.max(...cpu));
      assert.equal(bucket.memory_used_max, Math.max(...memory));
      assert.ok(
        Math.abs(bucket.memory_used_avg! - memory.reduce((a, m) => a + m, 0) / memory.length) <
          1e-6,
      );
    }
    assert.equal(
      buckets.reduce((sum, b) => sum + b.samples, 0),
      all.filter((s) => Date.parse(s.timestamp) >= from && Date.parse(s.timestamp) < to).length,
    );
  });

  it('puts a sample on a bucket boundary into the later bucket and excludes the range end', async () => {
    const response = await get<{ bucket: string; samples: number }[]>(
      `/devices/${BUSY}/metrics?from=${iso(T0 + 59_000)}&to=${iso(T0 + 61_000)}&points=2`,
    );
    assert.deepEqual(
      response.body.map((b) => [new Date(b.bucket).toISOString(), b.samples]),
      [
        [iso(T0 + 60_000), 1],
        [iso(T0 + 59_000), 1],
      ],
    );
  });

  it('answers downsampled ranges as JSON with millisecond UTC timestamps and null for fields without samples', async () => {
    const fields = TELEMETRY_FIELD_COLUMNS.metrics.map((c) => c.name);
    const keys = ['bucket', 'samples', ...fields.flatMap((f) => [`${f}_avg`, `${f}_max`])];
    const isoFormat = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    // Sub-minute buckets of 667 ms (raw rows): only the seven ties, which carry cpu_usage alone.
    const ties = await get(
      `/devices/${BUSY}/metrics?from=${iso(T0 - 61_000)}&to=${iso(T0 - 59_000)}&points=3`,
    );
    assert.equal(ties.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(ties.body, [
      {
        bucket: '2026-11-19T23:58:59.667Z',
        samples: 7,
        ...Object.fromEntries(
          fields.flatMap((f) =>
            [`${f}_avg`, `${f}_max`].map((k) => [k, f === 'cpu_usage' ? 1 : null]),
          ),
        ),
        bucket_end: '2026-11-19T23:59:00.334Z',
        bucket_seconds: 0.667,
      },
    ]);
    // Whole-minute buckets (rollups) over a range that starts and ends mid-second.
    const minutes = await get(
      `/devices/${BUSY}/metrics?from=${iso(T0 - 90_500)}&to=${iso(T0 + 570_250)}&points=5`,
    );
    assert.equal(minutes.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(minutes.body.length, 4);
    for (const bucket of minutes.body) {
      assert.deepEqual(Object.keys(bucket), [...keys, 'bucket_end', 'bucket_seconds']);
      assert.match(String(bucket.bucket), isoFormat);
      assert.match(String(bucket.bucket_end), isoFormat);
      assert.equal(bucket.bucket_seconds, 180);
    }
    assert.equal(minutes.body.at(-1)!.bucket, '2026-11-19T23:58:29.500Z');
    assert.equal(minutes.body[0].bucket_end, '2026-11-20T00:09:30.250Z');
    const empty = await get(`/devices/${EMPTY}/metrics?points=300`);
    assert.equal(empty.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(empty.body, []);
  });

  it("lists activities and the latest snapshot's processes as a plain array sorted by cpu or memory", async () => {
    const activities = await get<{ activity_type: string }[]>(`/devices/${BUSY}/activities`);
    assert.deepEqual(
      activities.body.map((a) => a.activity_type),
      ['app_focus', 'login'],
    );
    // A plain array, as the reference's clients read every list; each process names its snapshot.
    const { rows } = await stack.mentorDb.query<{ id: string; ts: Date }>(
      'SELECT id, ts FROM process_snapshots WHERE deviceid = $1',
      [BUSY],
    );
    const snapshot = { id: rows[0].id, timestamp: rows[0].ts.toISOString() };
    type Process = { id: string; deviceid: string; timestamp: string; pid: number };
    const byCpu = await get<Process[]>(`/devices/${BUSY}/processes?sort=cpu`);
    assert.equal(byCpu.status, 200);
    assert.ok(Array.isArray(byCpu.body), JSON.stringify(byCpu.body));
    assert.deepEqual(
      byCpu.body.map((p) => p.pid),
      [2, 3, 1],
    );
    assert.deepEqual(byCpu.body[0], {
      id: snapshot.id,
      deviceid: BUSY,
      timestamp: snapshot.timestamp,
      pid: 2,
      process_name: 'node',
      cpu: 80,
      memory: 1000,
      command_text: null,
    });
    for (const p of byCpu.body) {
      assert.deepEqual([p.id, p.deviceid, p.timestamp], [snapshot.id, BUSY, snapshot.timestamp]);
    }
    assert.equal(byCpu.headers.get('x-total-count'), '3');
    const byMemory = await get<Process[]>(`/devices/${BUSY}/processes?sort=memory&limit=2`);
    assert.deepEqual(
      byMemory.body.map((p) => p.pid),
      [3, 1],
    );
    assert.equal(byMemory.headers.get('x-total-count'), '3');
    const byDefault = await get<Process[]>(`/devices/${BUSY}/processes?limit=1`);
    assert.deepEqual(
      byDefault.body.map((p) => p.pid),
      [2],
    );
    const empty = await get(`/devices/${EMPTY}/processes`);
    assert.deepEqual([empty.status, empty.body], [200, []]);
    assert.equal(empty.headers.get('x-total-count'), '0');
    assert.deepEqual((await get(`/devices/${EMPTY}/metrics`)).body, []);
    assert.deepEqual((await get(`/devices/${EMPTY}/alerts`)).body, []);
  });

  it('filters alerts by level and state and records who acknowledged and resolved them, and when', async () => {
    const critical = await get<{ id: string }[]>(`/devices/${BUSY}/alerts?level=critical`);
    assert.deepEqual(
      critical.body.map((a) => a.id),
      [alertIds.crit],
    );
    const ack = await act<AlertView>(`/devices/${BUSY}/alerts/${alertIds.crit}/ack`);
    assert.equal(ack.status, 200);
    assert.equal(ack.body.state, 'acknowledged');
    assert.equal(ack.body.acknowledged_by, 'admin');
    assert.ok(ack.body.acknowledged_at);
    const resolved = await act<AlertView>(`/devices/${BUSY}/alerts/${alertIds.warn}/resolve`);
    assert.equal(resolved.body.state, 'resolved');
    assert.ok(resolved.body.resolved_at);
    assert.deepEqual(
      (await get<{ id: string }[]>(`/devices/${BUSY}/alerts?state=open`)).body.map((a) => a.id),
      [alertIds.info],
    );
    assert.deepEqual(
      (await get<{ id: string }[]>(`/devices/${BUSY}/alerts?state=resolved`)).body.map((a) => a.id),
      [alertIds.warn],
    );
    const again = await act<{ state: string }>(`/devices/${BUSY}/alerts/${alertIds.warn}/ack`);
    assert.equal(again.body.state, 'resolved');
    assert.equal((await act(`/devices/${BUSY}/alerts/${randomUUID()}/ack`)).status, 404);
    assert.equal((await act(`/devices/${BUSY}/alerts/not-a-uuid/ack`)).status, 400);
  });

  it('summarises the fleet', async () => {
    await onlyBusyOnline();
    const summary = await get<Summary>('/fleet/summary');
    assert.equal(summary.status, 200);
    assert.deepEqual(summary.body.devices, { total: 3, online: 1, offline: 2 });
    assert.deepEqual(summary.body.open_alerts_by_level, {
      info: 1,
      warning: 0,
      error: 0,
      critical: 1,
    });
    assert.deepEqual(
      summary.body.busiest.map((d) => d.deviceid),
      [BUSY],
    );
  });

  it('answers 400 naming the bad parameter', async () => {
    const cases: [string, string][] = [
      ['/devices?limit=0', 'limit'],
      ['/devices?limit=1001', 'limit'],
      ['/devices?status=sleeping', 'status'],
      [`/devices/${BUSY}/metrics?points=0`, 'points'],
      [`/devices/${BUSY}/metrics?points=abc`, 'points'],
      [`/devices/${BUSY}/metrics?from=yesterday`, 'from'],
      [`/devices/${BUSY}/metrics?from=${iso(T0 + 1000)}&to=${iso(T0)}&points=5`, 'from'],
      [`/devices/${BUSY}/alerts?level=fatal`, 'level'],
      [`/devices/${BUSY}/alerts?state=snoozed`, 'state'],
      [`/devices/${BUSY}/processes?sort=name`, 'sort'],
      ['/devices/bad%20id!/metrics', 'deviceid'],
    ];
    for (const [path, field] of cases) {
      const response = await get<{ statusCode: number; details: { field: string }[] }>(path);
      assert.equal(response.status, 400, path);
      assert.ok(
        response.body.details.some((d) => d.field === field),
        `${path}: ${JSON.stringify(response.body)}`,
      );
    }
  });

  it('needs a session for every read and the admin role to act on alerts', async () => {
    const paths = [
      '/devices',
      `/devices/${BUSY}`,
      `/devices/${BUSY}/metrics`,
      `/devices/${BUSY}/metrics?points=10`,
      `/devices/${BUSY}/activities`,
      `/devices/${BUSY}/alerts`,
      `/devices/${BUSY}/processes`,
      '/fleet/summary',
    ];
    for (const path of paths) {
      assert.equal((await request('GET', `${mentor}${path}`)).status, 401, path);
    }
    const created = await act('/users');
    assert.equal(created.status, 400, 'a user needs a body');
    const made = await request('POST', `${mentor}/users`, {
      body: { username: 'query-viewer', password: 'viewer-password-123', role: 'viewer' },
      headers: await stack.asAdmin(),
    });
    assert.equal(made.status, 201);
    const viewer = bearer(
      (await login(mentor, 'query-viewer', 'viewer-password-123')).access_token,
    );
    for (const path of paths) {
      assert.equal(
        (await request('GET', `${mentor}${path}`, { headers: viewer })).status,
        200,
        path,
      );
    }
    const ack = await request('POST', `${mentor}/devices/${BUSY}/alerts/${alertIds.info}/ack`, {
      headers: viewer,
    });
    assert.equal(ack.status, 403);
  });
});
