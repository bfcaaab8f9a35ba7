import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import { request } from '@app/testing/http-client';
import { compiledFile } from '@app/testing/repo-root';
import { ServiceProcess } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Client } from 'pg';

const DEVICES_MAIN = compiledFile('apps/devices/src/main.ts');

describe('Operations: health, metrics, shutdown and configuration', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start('operations');
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('answers liveness, readiness and the summary health check', async () => {
    for (const service of [stack.devices, stack.mentor!]) {
      const live = await request<{ status: string }>('GET', `${service.url}/health/live`);
      assert.equal(live.status, 200);
      const ready = await request<{ status: string; database: string }>(
        'GET',
        `${service.url}/health/ready`,
      );
      assert.deepEqual([ready.status, ready.body.status, ready.body.database], [200, 'ok', 'up']);
      const summary = await request<{ status: string; service: string; version: string }>(
        'GET',
        `${service.url}/health`,
      );
      assert.equal(summary.status, 200);
      assert.equal(summary.body.service, service.name);
      assert.match(summary.body.version, /^\d+\.\d+\.\d+/);
    }
    const devices = await request<{ forwarding: { enabled: boolean; pending: number } }>(
      'GET',
      `${stack.devices.url}/health`,
    );
    assert.equal(devices.body.forwarding.enabled, true);
  });

  it('exposes Prometheus metrics with forwarding, outbox, ingest and HTTP series', async () => {
    await stack.registerDevice('metrics-device');
    await request('POST', `${stack.api}/devices/metrics-device/metrics`, {
      headers: stack.asDevice('metrics-device'),
      body: { cpu_usage: 3 },
    });
    // The mentor commits before the relay has read its answer, so poll the relay's counter.
    await waitFor(
      async () =>
        /^forward_success_total\{data_type="metrics"\} 1$/m.test(
          (await request<string>('GET', `${stack.devices.url}/metrics`)).body,
        ),
      { message: 'the delivery to be counted' },
    );
    const devices = await request<string>('GET', `${stack.devices.url}/metrics`);
    assert.equal(devices.status, 200);
    assert.match(devices.headers.get('content-type') ?? '', /text\/plain/);
    for (const series of [
      /^forward_success_total\{data_type="metrics"\} 1$/m,
      /^forward_success_total\{data_type="device"\} 1$/m,
      /^outbox_pending\{channel="mentor"\} 0$/m,
      /^outbox_oldest_pending_age_seconds\{channel="mentor"\} 0$/m,
      /^outbox_dead_letters\{channel="mentor"\} 0$/m,
      /^ingest_records_total\{data_type="metrics",result="stored"\} 1$/m,
      /^http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/api\/v1\/devices\/:id\/metrics",status_code="201"\} \d+$/m,
      /^process_resident_memory_bytes \d+/m,
    ]) {
      assert.match(devices.body, series);
    }
    const mentor = await request<string>('GET', `${stack.mentor!.url}/metrics`);
    assert.match(mentor.body, /^mentor_ingest_records_total\{data_type="metrics"\} 1$/m);
  });

  it('shuts down on SIGTERM with exit code 0 and leaves no claimed outbox rows', async () => {
    await stack.mentor!.stop();
    await request('POST', `${stack.api}/devices/metrics-device/metrics`, {
      headers: stack.asDevice('metrics-device'),
      body: [{ cpu_usage: 1 }, { cpu_usage: 2 }],
    });
    await waitFor(
      async () => {
        const { rows } = await stack.devicesDb.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE attempts > 0`,
        );
        return rows[0].n > 0;
      },
      { message: 'a failed attempt' },
    );
    const code = await stack.devices.stop();
    assert.equal(code, 0, stack.devices.logs.slice(-2000));
    const { rows } = await stack.devicesDb.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE claimed_until > now()`,
    );
    assert.equal(rows[0].n, 0);
    await stack.mentor!.restart();
    await stack.devices.restart();
    await waitFor(async () => (await stack.pendingOutbox()) === 0, {
      timeoutMs: 20_000,
      message: 'the backlog to drain',
    });
  });

  it('reports not ready (503) while its database is unreachable', async () => {
    const db = await createTestDatabase('notready');
    const service = await ServiceProcess.start('devices', { DATABASE_URL: db.url });
    const admin = new Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [db.name],
      );
      const ready = await waitFor(
        async () => {
          const response = await request<{ status: string; database: string }>(
            'GET',
            `${service.url}/health/ready`,
          );
          return response.status === 503 ? response : undefined;
        },
        { message: 'readiness to fail' },
      );
      assert.equal(ready.body.database, 'down');
      const live = await request('GET', `${service.url}/health/live`);
      assert.equal(live.status, 200);
      await admin.query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS true`);
      await waitFor(
        async () => (await request('GET', `${service.url}/health/ready`)).status === 200,
        {
          message: 'readiness to recover',
        },
      );
    } finally {
      await admin
        .query(`ALTER DATABASE "${db.name}" WITH ALLOW_CONNECTIONS true`)
        .catch(() => undefined);
      await admin.end();
      await service.stop();
      await dropTestDatabase(db.name);
    }
  });

  it('refuses to start with an invalid variable and names it', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ FORWARD_TIMEOUT: 'soon' }, /FORWARD_TIMEOUT/],
      [{ DEVICES_PORT: '70000' }, /DEVICES_PORT/],
      [{ FORWARD_METRICS: 'maybe' }, /FORWARD_METRICS/],
      [{ MENTOR_API_URL: 'not a url' }, /MENTOR_API_URL/],
      [
        { NODE_ENV: 'production', MENTOR_API_URL: 'http://mentor:8080' },
        /MENTOR_API_TOKEN: must be set/,
      ],
    ];
    for (const [env, expected] of cases) {
      const result = spawnSync(process.execPath, [DEVICES_MAIN], {
        env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://unused@127.0.0.1:1/x', ...env },
        encoding: 'utf8',
        timeout: 15_000,
      });
      assert.equal(result.status, 1, `${JSON.stringify(env)}: ${result.stderr}`);
      assert.match(result.stderr, expected);
      assert.match(result.stderr, /Invalid configuration/);
    }
  });
});
