import { request } from '@app/testing/http-client';
import { TEST_ENROLLMENT_SECRET } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

const DEVICE = 'test-device-123';

describe('Devices ingest forwarded to the Mentor', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start('ingest');
    await stack.registerDevice(DEVICE, {
      device_name: 'Test Device',
      os: 'linux',
      current_user: 'ada',
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('stores every data type and forwards it to the mentor under the same id', async () => {
    const metricIds = [randomUUID(), randomUUID()];
    const activityId = randomUUID();
    const alertId = randomUUID();
    const metrics = await request<{ ids: string[]; stored: number }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/metrics`,
      {
        headers: stack.asDevice(DEVICE),
        body: [
          {
            id: metricIds[0],
            cpu_usage: 12.5,
            memory_total: 8e9,
            memory_used: 4e9,
            timestamp: '2026-11-01T10:00:00Z',
          },
          {
            id: metricIds[1],
            cpu_usage: 99.9,
            disk_total: 5e11,
            disk_used: 1e11,
            net_bytes_in: 10,
            net_bytes_out: 20,
          },
        ],
      },
    );
    assert.equal(metrics.status, 201);
    assert.deepEqual(metrics.body.ids, metricIds);
    assert.equal(metrics.body.stored, 2);
    const activities = await request('POST', `${stack.api}/devices/${DEVICE}/activities`, {
      headers: stack.asDevice(DEVICE),
      body: [
        {
          id: activityId,
          activity_type: 'app_focus',
          app: 'code',
          description: 'editing',
          duration: 42,
        },
      ],
    });
    assert.equal(activities.status, 201);
    const alerts = await request('POST', `${stack.api}/devices/${DEVICE}/alerts`, {
      headers: stack.asDevice(DEVICE),
      body: [
        {
          id: alertId,
          level: 'critical',
          alert_type: 'high_cpu',
          message: 'hot',
          value: 99.9,
          threshold: 90,
        },
      ],
    });
    assert.equal(alerts.status, 201);
    const processes = await request<{ ids: string[] }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/processes`,
      {
        headers: stack.asDevice(DEVICE),
        body: [
          { pid: 1, process_name: 'init', cpu: 0.1, memory: 1024, command_text: '/sbin/init' },
          { pid: 42, process_name: 'node', cpu: 55, memory: 4096 },
        ],
      },
    );
    assert.equal(processes.status, 201);
    const snapshotId = processes.body.ids[0];

    await waitFor(async () => (await stack.mentorIds('metrics')).length === 2, {
      message: 'metrics at the mentor',
    });
    assert.deepEqual(await stack.mentorIds('metrics'), [...metricIds].sort());
    await waitFor(async () => (await stack.mentorIds('activities')).includes(activityId), {
      message: 'activity',
    });
    await waitFor(async () => (await stack.mentorIds('alerts')).includes(alertId), {
      message: 'alert',
    });
    await waitFor(async () => (await stack.mentorIds('process_snapshots')).includes(snapshotId), {
      message: 'process snapshot',
    });
    const device = await waitFor(
      async () => {
        const { rows } = await stack.mentorDb.query('SELECT * FROM devices WHERE deviceid = $1', [
          DEVICE,
        ]);
        return rows[0]?.device_name ? rows[0] : undefined;
      },
      { message: 'device registration at the mentor' },
    );
    assert.equal(device.device_name, 'Test Device');
    assert.equal(device.current_user, 'ada');

    const { rows: stored } = await stack.mentorDb.query('SELECT * FROM metrics WHERE id = $1', [
      metricIds[0],
    ]);
    assert.equal(stored[0].cpu_usage, 12.5);
    assert.equal(stored[0].memory_total, '8000000000');
    assert.equal(new Date(stored[0].ts).toISOString(), '2026-11-01T10:00:00.000Z');
    const { rows: snap } = await stack.mentorDb.query(
      'SELECT processes FROM process_snapshots WHERE deviceid = $1',
      [DEVICE],
    );
    assert.deepEqual(
      (snap[0].processes as { pid: number }[]).map((p) => p.pid),
      [1, 42],
    );
    // Devices deletes an entry once the Mentor's answer is back, a moment after the Mentor
    // stored it: the records being there does not yet mean the outbox is empty.
    await waitFor(async () => (await stack.pendingOutbox()) === 0, {
      message: 'the outbox to empty once the Mentor acknowledged every record',
    });
  });

  it('stores a retried record once on both sides', async () => {
    const id = randomUUID();
    const first = await request<{ stored: number; duplicates: number }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/metrics`,
      {
        headers: stack.asDevice(DEVICE),
        body: { id, cpu_usage: 5 },
      },
    );
    const second = await request<{ stored: number; duplicates: number }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/metrics`,
      {
        headers: stack.asDevice(DEVICE),
        body: { id, cpu_usage: 5 },
      },
    );
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(first.body.stored, 1);
    assert.equal(second.body.duplicates, 1);
    await waitFor(async () => (await stack.mentorIds('metrics')).includes(id), {
      message: 'the record at the mentor',
    });
    await waitFor(async () => (await stack.pendingOutbox()) === 0, { message: 'an empty outbox' });
    const devicesCount = await stack.devicesDb.query(
      'SELECT count(*)::int AS n FROM metrics WHERE id = $1',
      [id],
    );
    const mentorCount = await stack.mentorDb.query(
      'SELECT count(*)::int AS n FROM metrics WHERE id = $1',
      [id],
    );
    assert.equal(devicesCount.rows[0].n, 1);
    assert.equal(mentorCount.rows[0].n, 1);
  });

  it('recognises an upper-case id as the same record and forwards it once', async () => {
    const id = randomUUID();
    const send = (recordId: string) =>
      request<{ stored: number; duplicates: number; ids: string[] }>(
        'POST',
        `${stack.api}/devices/${DEVICE}/metrics`,
        { headers: stack.asDevice(DEVICE), body: [{ id: recordId, cpu_usage: 7 }] },
      );
    const first = await send(id.toUpperCase());
    assert.equal(first.status, 201);
    assert.deepEqual([first.body.stored, first.body.ids], [1, [id]]);
    const retry = await send(id);
    assert.deepEqual([retry.body.stored, retry.body.duplicates], [0, 1]);
    await waitFor(async () => (await stack.mentorIds('metrics')).includes(id), {
      message: 'the upper-case record at the mentor',
    });
  });

  it('refuses a string holding U+0000 with a 400 and stores nothing', async () => {
    const id = randomUUID();
    const response = await request<{ statusCode: number; message: string }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/activities`,
      {
        headers: stack.asDevice(DEVICE),
        body: [{ id, activity_type: 'login', description: 'a\u0000b' }],
      },
    );
    assert.equal(response.status, 400);
    assert.equal(response.body.statusCode, 400);
    assert.ok(!(await stack.devicesIds('activities')).includes(id));
  });

  it('refuses a batch with one bad record, names the field and stores nothing', async () => {
    const before = (await stack.devicesIds('metrics')).length;
    const good = randomUUID();
    const response = await request<{
      statusCode: number;
      message: string;
      details: { field: string }[];
    }>('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      headers: stack.asDevice(DEVICE),
      body: [{ id: good, cpu_usage: 10 }, { cpu_usage: 150 }, { memory_used: 'lots' }],
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.statusCode, 400);
    const fields = response.body.details.map((d) => d.field);
    assert.ok(fields.includes('[1].cpu_usage'), JSON.stringify(fields));
    assert.ok(fields.includes('[2].memory_used'), JSON.stringify(fields));
    assert.match(response.body.message, /cpu_usage/);
    assert.equal((await stack.devicesIds('metrics')).length, before);
    assert.ok(!(await stack.devicesIds('metrics')).includes(good));
  });

  it('drops unknown fields instead of refusing the record', async () => {
    const id = randomUUID();
    const response = await request('POST', `${stack.api}/devices/${DEVICE}/activities`, {
      headers: stack.asDevice(DEVICE),
      body: [{ id, activity_type: 'login', gpu_usage: 3, nested: { a: 1 } }],
    });
    assert.equal(response.status, 201);
    await waitFor(async () => (await stack.mentorIds('activities')).includes(id), {
      message: 'the activity',
    });
  });

  it('answers client mistakes with clear 4xx errors', async () => {
    const cases: [string, Parameters<typeof request>[2], number][] = [
      // With device tokens, another id is refused before anything is looked up (403, so the
      // answer does not reveal which ids exist); the legacy-mode 404 is in device-auth.e2e-spec.
      ['/devices/unknown-device/metrics', { body: { cpu_usage: 1 } }, 403],
      ['/devices/bad id!/metrics', { body: { cpu_usage: 1 } }, 400],
      [
        `/devices/${DEVICE}/metrics`,
        { raw: '{"cpu_usage":', headers: { 'content-type': 'application/json' } },
        400,
      ],
      [
        `/devices/${DEVICE}/metrics`,
        { raw: 'cpu=1', headers: { 'content-type': 'text/plain' } },
        415,
      ],
      [
        `/devices/${DEVICE}/metrics`,
        {
          raw: JSON.stringify({ pad: 'x'.repeat(2_000_000) }),
          headers: { 'content-type': 'application/json' },
        },
        413,
      ],
      [`/devices/${DEVICE}/metrics`, { body: [] }, 400],
      [`/devices/${DEVICE}/metrics`, { body: 'just a string' }, 400],
      [`/devices/${DEVICE}/metrics`, { body: [{ id: 'not-a-uuid' }] }, 400],
      [`/devices/${DEVICE}/metrics`, { body: [{ timestamp: 'yesterday' }] }, 400],
      [`/devices/${DEVICE}/alerts`, { body: [{ level: 'panic', alert_type: 'x' }] }, 400],
      [`/devices/${DEVICE}/processes`, { body: { pid: 1, process_name: 'not-an-array' } }, 400],
      ['/devices/register', { body: { deviceid: 'x'.repeat(65) } }, 400],
      [
        `/devices/${DEVICE}/metrics`,
        { raw: '{"__proto__":{"polluted":1}}', headers: { 'content-type': 'application/json' } },
        400,
      ],
    ];
    for (const [path, options, status] of cases) {
      // Every request carries valid credentials, so each answer is about the mistake itself.
      const credentials: Record<string, string> =
        path === '/devices/register'
          ? { 'x-enrollment-secret': TEST_ENROLLMENT_SECRET }
          : stack.asDevice(DEVICE);
      const response = await request<{ statusCode: number; error: string; message: string }>(
        'POST',
        `${stack.api}${path}`,
        { ...options, headers: { ...credentials, ...options?.headers } },
      );
      assert.equal(
        response.status,
        status,
        `${path} ${JSON.stringify(options).slice(0, 80)} -> ${JSON.stringify(response.body)}`,
      );
      assert.equal(response.body.statusCode, status);
      assert.equal(typeof response.body.error, 'string');
      assert.equal(typeof response.body.message, 'string');
    }
  });

  it('keeps the newer process snapshot when an older one arrives later', async () => {
    const hour = 3_600_000;
    const newer = await request<{ ids: string[] }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/processes`,
      {
        headers: stack.asDevice(DEVICE),
        body: [
          {
            id: randomUUID(),
            pid: 7,
            process_name: 'newer',
            timestamp: new Date(Date.now() + hour).toISOString(),
          },
        ],
      },
    );
    const older = await request<{ stored: number }>(
      'POST',
      `${stack.api}/devices/${DEVICE}/processes`,
      {
        headers: stack.asDevice(DEVICE),
        body: [
          {
            id: randomUUID(),
            pid: 8,
            process_name: 'older',
            timestamp: new Date(Date.now() - hour).toISOString(),
          },
        ],
      },
    );
    assert.equal(older.status, 201);
    assert.equal(older.body.stored, 0);
    await waitFor(
      async () => (await stack.mentorIds('process_snapshots')).includes(newer.body.ids[0]),
      {
        message: 'the newer snapshot at the mentor',
      },
    );
    const { rows } = await stack.devicesDb.query(
      'SELECT processes FROM process_snapshots WHERE deviceid = $1',
      [DEVICE],
    );
    assert.equal((rows[0].processes as { process_name: string }[])[0].process_name, 'newer');
  });

  it('carries the device request id into the forwarded request', async () => {
    const requestId = `trace-${randomUUID()}`;
    const response = await request('POST', `${stack.api}/devices/${DEVICE}/alerts`, {
      body: [{ level: 'info', alert_type: 'trace' }],
      headers: { ...stack.asDevice(DEVICE), 'x-request-id': requestId },
    });
    assert.equal(response.headers.get('x-request-id'), requestId);
    await waitFor(() => stack.mentor!.logs.includes(requestId), {
      message: 'the request id in the mentor log',
    });
    const line = stack.mentor!.logs.split('\n').find((l) => l.includes(requestId))!;
    const entry = JSON.parse(line) as { req: { id: string; url: string } };
    assert.equal(entry.req.id, requestId);
    assert.equal(entry.req.url, '/devices/alerts');
  });

  it('logs one request line per telemetry request, with its request id and no credential', async () => {
    const requestId = `line-${randomUUID()}`;
    const headers = { ...stack.asDevice(DEVICE), 'x-request-id': requestId };
    const ok = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      body: { cpu_usage: 3 },
      headers,
    });
    const refused = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      body: { cpu_usage: 300 },
      headers: { ...headers, 'x-request-id': `${requestId}-bad` },
    });
    assert.deepEqual([ok.status, refused.status], [201, 400]);
    await waitFor(() => stack.devices.logs.includes(`${requestId}-bad`), {
      message: 'the request lines',
    });
    const lines = stack.devices.logs
      .split('\n')
      .filter((line) => line.includes(requestId))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((line) => [line.level, line.msg, line.req, line.res]),
      [
        [
          30,
          'request completed',
          { id: requestId, method: 'POST', url: `/api/v1/devices/${DEVICE}/metrics` },
          { statusCode: 201 },
        ],
        [
          40,
          'request completed',
          { id: `${requestId}-bad`, method: 'POST', url: `/api/v1/devices/${DEVICE}/metrics` },
          { statusCode: 400 },
        ],
      ],
    );
    assert.ok(!stack.devices.logs.includes(stack.deviceTokens.get(DEVICE)!), 'no token logged');
  });
});
