import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bearer, login } from '@app/testing/auth';
import { freePort } from '@app/testing/free-port';
import { request } from '@app/testing/http-client';
import {
  devSecrets,
  Launcher,
  postgresProcessesIn,
  removeDataDir,
  tempDataDir,
} from '@app/testing/launcher';
import { waitFor } from '@app/testing/wait-for';

const DEVICE = 'one-at-a-time-1';

describe('npm run start:devices, then npm run start:mentor', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let devicesUrl: string;
  let mentorUrl: string;
  const launchers: Launcher[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir('one-at-a-time');
    const [devicesPort, mentorPort] = [await freePort(), await freePort()];
    devicesUrl = `http://127.0.0.1:${devicesPort}`;
    mentorUrl = `http://127.0.0.1:${mentorPort}`;
    env = {
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      DEVICES_PORT: String(devicesPort),
      MENTOR_PORT: String(mentorPort),
    };
  });

  afterAll(async () => {
    await Promise.all(launchers.map((launcher) => launcher.stop()));
    assert.deepEqual(postgresProcessesIn(dataDir), []);
    removeDataDir(dataDir);
  });

  it('the Mentor started later pulls at start what Devices took in alone', async () => {
    // An explicit empty MENTOR_API_URL still means standalone: nothing is pushed.
    const devices = Launcher.start('npm run start:devices', { ...env, MENTOR_API_URL: '' });
    launchers.push(devices);
    await devices.waitReady(`${devicesUrl}/health/ready`);
    assert.match(devices.output, /standalone: MENTOR_API_URL not set/);

    const secrets = devSecrets(dataDir);
    const registered = await request<{ device_token: string }>(
      'POST',
      `${devicesUrl}/api/v1/devices/register`,
      { body: { deviceid: DEVICE }, headers: { 'x-enrollment-secret': secrets.ENROLLMENT_SECRET } },
    );
    assert.equal(registered.status, 201);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const posted = await request('POST', `${devicesUrl}/api/v1/devices/${DEVICE}/metrics`, {
      body: ids.map((id) => ({ id, cpu_usage: 42 })),
      headers: bearer(registered.body.device_token),
    });
    assert.equal(posted.status, 201);

    // Started alone, with no DEVICES_API_URL: the launcher points it at this machine's Devices.
    const mentor = Launcher.start('npm run start:mentor', env);
    launchers.push(mentor);
    await mentor.waitReady(`${mentorUrl}/health/ready`);
    assert.match(
      mentor.output,
      new RegExp(`reconciling by pull from ${devicesUrl.replace(/\./g, '\\.')}`),
    );

    // No POST /sync: the Mentor reconciles once at start.
    const admin = bearer((await login(mentorUrl, 'admin', secrets.ADMIN_PASSWORD)).access_token);
    const metrics = await waitFor(
      async () => {
        const response = await request<{ id: string }[]>(
          'GET',
          `${mentorUrl}/devices/${DEVICE}/metrics`,
          {
            headers: admin,
          },
        );
        return response.status === 200 && response.body.length === ids.length && response.body;
      },
      { timeoutMs: 30_000, message: () => `the pulled metrics:\n${mentor.output.slice(-3000)}` },
    );
    assert.deepEqual(metrics.map((m) => m.id).sort(), [...ids].sort());
    // The run logs its summary after the records are stored, so the line can follow them.
    await waitFor(() => /Reconciled at start: \d+ records pulled/.test(mentor.output), {
      timeoutMs: 30_000,
      message: () => `the reconcile summary:\n${mentor.output.slice(-3000)}`,
    });
  });
});
