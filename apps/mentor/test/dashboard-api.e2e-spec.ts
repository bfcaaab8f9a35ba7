import { bearer, login } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { SseClient } from '@app/testing/sse-client';
import { Stack } from '@app/testing/stack';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const GIB = 1024 ** 3;
const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

interface SparkDevice {
  deviceid: string;
  sparkline?: {
    from: string;
    step_seconds: number;
    cpu: (number | null)[];
    mem: (number | null)[];
  };
}

interface LiveEvent {
  type: string;
  deviceid: string;
  records: Record<string, unknown>[];
}

/** What the dashboard's pages read beyond the basic query API. */
describe('Query API for the dashboard pages', () => {
  let stack: Stack;
  let mentor: string;
  let admin: Record<string, string>;

  const get = <T>(path: string, headers = admin) =>
    request<T>('GET', `${mentor}${path}`, { headers });

  async function postMetrics(deviceid: string, samples: Record<string, unknown>[]): Promise<void> {
    const response = await request('POST', `${stack.api}/devices/${deviceid}/metrics`, {
      headers: stack.asDevice(deviceid),
      body: samples.map((s) => ({ id: randomUUID(), ...s })),
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  }

  /** Waits until the Mentor holds `n` metric rows of a device (forwarding is asynchronous). */
  async function forwarded(deviceid: string, n: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { rows } = await stack.mentorDb.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM metrics WHERE deviceid = $1',
        [deviceid],
      );
      if (rows[0].n >= n) return;
      assert.ok(Date.now() < deadline, `${deviceid}: ${rows[0].n} of ${n} metrics forwarded`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    stack = await Stack.start('dashboard_api', {
      mentorEnv: { ONLINE_WINDOW: '3s', PRESENCE_CHECK_INTERVAL: '200ms' },
    });
    mentor = stack.mentor!.url;
    await stack.setUp(async () => {
      for (const id of ['rate-a', 'rate-b', 'spark-busy', 'spark-quiet', 'alerting'])
        await stack.registerDevice(id);
      admin = await stack.asAdmin();
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('reports the telemetry rate over the last five whole minutes', async () => {
    const t0 = Date.now();
    await postMetrics(
      'rate-a',
      Array.from({ length: 20 }, (_, i) => ({
        timestamp: iso(t0 - 150_000 + i * 100),
        cpu_usage: 5,
      })),
    );
    await postMetrics('rate-b', [
      ...Array.from({ length: 10 }, (_, i) => ({ timestamp: iso(t0 - 200_000 + i), cpu_usage: 1 })),
      // Older than the window: not counted.
      ...Array.from({ length: 7 }, (_, i) => ({ timestamp: iso(t0 - 10 * MINUTE + i) })),
    ]);
    await forwarded('rate-a', 20);
    await forwarded('rate-b', 17);
    const summary = await get<{
      telemetry_rate: { metrics_per_second: number; samples: number; since: string; until: string };
    }>('/fleet/summary');
    assert.equal(summary.status, 200);
    const rate = summary.body.telemetry_rate;
    assert.equal(rate.samples, 30);
    assert.equal(rate.metrics_per_second, 0.1);
    assert.equal(Date.parse(rate.until) - Date.parse(rate.since), 5 * MINUTE);
  });

  it('adds each listed device’s CPU and memory sparkline on request, in buckets of the window', async () => {
    const bin = 5 * MINUTE;
    const start = Math.floor(Date.now() / bin) * bin - 2 * bin;
    await postMetrics('spark-busy', [
      {
        timestamp: iso(start + 10_000),
        cpu_usage: 30,
        memory_used: 2 * GIB,
        memory_total: 4 * GIB,
      },
      {
        timestamp: iso(start + 20_000),
        cpu_usage: 50,
        memory_used: 3 * GIB,
        memory_total: 4 * GIB,
      },
      {
        timestamp: iso(start - 8 * bin + 1000),
        cpu_usage: 10,
        memory_used: GIB,
        memory_total: 4 * GIB,
      },
      // Before the hour: outside every bucket.
      { timestamp: iso(start - 13 * bin), cpu_usage: 99 },
    ]);
    await forwarded('spark-busy', 4);
    const asked = Date.now();
    const list = await get<SparkDevice[]>(
      '/devices?search=spark-&sparkline=1h&sparkline_points=12',
    );
    assert.equal(list.status, 200);
    const busy = list.body.find((d) => d.deviceid === 'spark-busy')!.sparkline!;
    assert.equal(busy.step_seconds, bin / 1000);
    assert.equal(Date.parse(busy.from) % bin, 0, 'buckets aligned to the epoch');
    assert.ok(Date.parse(busy.from) + 12 * bin > asked, 'the last bucket holds the present');
    const cpu: (number | null)[] = new Array(12).fill(null);
    const mem: (number | null)[] = new Array(12).fill(null);
    const at = (ms: number): number => (ms - Date.parse(busy.from)) / bin;
    [cpu[at(start - 8 * bin)], mem[at(start - 8 * bin)]] = [10, 25];
    [cpu[at(start)], mem[at(start)]] = [40, 62.5];
    assert.deepEqual({ cpu: busy.cpu, mem: busy.mem }, { cpu, mem });
    const quiet = list.body.find((d) => d.deviceid === 'spark-quiet')!.sparkline!;
    assert.equal(quiet.from, busy.from);
    assert.deepEqual(quiet.cpu, new Array(12).fill(null));
    const plain = await get<SparkDevice[]>('/devices?search=spark-');
    assert.ok(plain.body.every((d) => !('sparkline' in d)));
  });

  it('refuses a sparkline window or point count it does not offer', async () => {
    for (const query of [
      'sparkline=2h',
      'sparkline=24h',
      'sparkline=1h&sparkline_points=1',
      'sparkline_points=500',
    ]) {
      const response = await get<{ statusCode: number; message: string }>(`/devices?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(response.body.statusCode, 400);
    }
  });

  it('shows who acknowledged and who resolved an alert, and when', async () => {
    const id = randomUUID();
    const posted = await request('POST', `${stack.api}/devices/alerting/alerts`, {
      headers: stack.asDevice('alerting'),
      body: [{ id, level: 'warning', alert_type: 'disk' }],
    });
    assert.equal(posted.status, 201);
    const deadline = Date.now() + 15_000;
    while ((await stack.mentorIds('alerts')).every((stored) => stored !== id)) {
      assert.ok(Date.now() < deadline, 'the alert reached the Mentor');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = Date.now();
    for (const action of ['ack', 'resolve']) {
      const response = await request('POST', `${mentor}/devices/alerting/alerts/${id}/${action}`, {
        headers: admin,
      });
      assert.equal(response.status, 200, action);
    }
    const [alert] = (await get<Record<string, string>[]>('/devices/alerting/alerts')).body;
    assert.equal(alert.state, 'resolved');
    assert.equal(alert.acknowledged_by, 'admin');
    assert.equal(alert.resolved_by, 'admin');
    for (const at of [alert.acknowledged_at, alert.resolved_at]) {
      assert.ok(Date.parse(at) >= before - 1000 && Date.parse(at) <= Date.now() + 1000, at);
    }
  });

  it('lets an admin change a user’s role, at once, but never demote the last admin', async () => {
    const users = `${mentor}/users`;
    const created = await request('POST', users, {
      headers: admin,
      body: { username: 'Role-Change', password: 'role-change-password', role: 'viewer' },
    });
    assert.equal(created.status, 201);
    const user = bearer((await login(mentor, 'role-change', 'role-change-password')).access_token);
    assert.equal((await get('/users', user)).status, 403);
    const viewerTry = await request('PATCH', `${users}/admin`, {
      headers: user,
      body: { role: 'viewer' },
    });
    assert.equal(viewerTry.status, 403);

    const promoted = await request<{ username: string; role: string }>(
      'PATCH',
      `${users}/Role-Change`,
      {
        headers: admin,
        body: { role: 'admin' },
      },
    );
    assert.equal(promoted.status, 200);
    assert.deepEqual([promoted.body.username, promoted.body.role], ['role-change', 'admin']);
    assert.equal((await get('/users', user)).status, 200, 'the same session is an admin now');

    const demotedAdmin = await request('PATCH', `${users}/admin`, {
      headers: user,
      body: { role: 'viewer' },
    });
    assert.equal(demotedAdmin.status, 200);
    const last = await request<{ statusCode: number; message: string }>(
      'PATCH',
      `${users}/role-change`,
      {
        headers: user,
        body: { role: 'viewer' },
      },
    );
    assert.equal(last.status, 409);
    assert.match(last.body.message, /last admin/);
    const lastDelete = await request('DELETE', `${users}/role-change`, { headers: user });
    assert.equal(lastDelete.status, 409);

    for (const [path, body, status] of [
      ['/users/role-change', { role: 'owner' }, 400],
      ['/users/role-change', {}, 400],
      ['/users/nobody-here', { role: 'viewer' }, 404],
      ['/users/bad%20name', { role: 'viewer' }, 400],
    ] as const) {
      const response = await request('PATCH', `${mentor}${path}`, { headers: user, body });
      assert.equal(response.status, status, `${path} ${JSON.stringify(body)}`);
    }
    const restored = await request('PATCH', `${users}/admin`, {
      headers: user,
      body: { role: 'admin' },
    });
    assert.equal(restored.status, 200);
  });

  it('announces a device going online with its sample, then offline when it falls silent', async () => {
    const ticket = await request<{ ticket: string }>('POST', `${mentor}/events/ticket`, {
      headers: await stack.asAdmin(),
    });
    const stream = await SseClient.open(
      `${mentor}/events?deviceid=flicker&ticket=${ticket.body.ticket}`,
    );
    try {
      await stack.registerDevice('flicker');
      const sampleAt = iso(Date.now());
      await postMetrics('flicker', [{ timestamp: sampleAt, cpu_usage: 12 }]);
      const metrics = (await stream.next((e) => e.event === 'metrics', 15_000)).data as LiveEvent;
      assert.equal(metrics.deviceid, 'flicker');
      assert.equal(metrics.records[0].deviceid, 'flicker');
      assert.equal(metrics.records[0].timestamp, sampleAt);
      const presence = (online: boolean) => (e: { event: string; data: unknown }) =>
        e.event === 'device' && (e.data as LiveEvent).records[0]?.online === online;
      const up = (await stream.next(presence(true), 15_000)).data as LiveEvent;
      assert.equal(up.deviceid, 'flicker');
      const down = (await stream.next(presence(false), 15_000)).data as LiveEvent;
      assert.equal(down.deviceid, 'flicker');
      assert.equal(down.records[0].last_seen_at, sampleAt);
      const [device] = (await get<{ online: boolean }[]>('/devices?search=flicker')).body;
      assert.equal(device.online, false);
    } finally {
      stream.close();
    }
  });
});
