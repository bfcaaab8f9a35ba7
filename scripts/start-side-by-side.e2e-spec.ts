import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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

const DEVICE = 'side-by-side-1';

describe('npm run start:devices and npm run start:mentor side by side', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let devicesUrl: string;
  let mentorUrl: string;
  const launchers: Launcher[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir('side-by-side');
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

  it('both come up when started at the same moment, each wired to the other', async () => {
    const devices = Launcher.start('npm run start:devices', env);
    const mentor = Launcher.start('npm run start:mentor', env);
    launchers.push(devices, mentor);
    await Promise.all([
      devices.waitReady(`${devicesUrl}/health/ready`),
      mentor.waitReady(`${mentorUrl}/health/ready`),
    ]);
    // One build at a time: at most one of them compiles, the other finds the result.
    const compiled = [devices, mentor].filter((l) => /build: compiled into/.test(l.output));
    assert.ok(compiled.length <= 1, `${devices.output}\n${mentor.output}`);
    for (const launcher of [devices, mentor])
      assert.match(launcher.output, /build: (up to date|compiled into|reusing)/);
    assert.match(devices.output, new RegExp(`forwarding to ${mentorUrl.replace(/\./g, '\\.')}`));
    assert.match(
      mentor.output,
      new RegExp(`reconciling by pull from ${devicesUrl.replace(/\./g, '\\.')}`),
    );
  });

  it('loses no request of one while the other is restarted, and forwards them all', async () => {
    const secrets = devSecrets(dataDir);
    const registered = await request<{ device_token: string }>(
      'POST',
      `${devicesUrl}/api/v1/devices/register`,
      { body: { deviceid: DEVICE }, headers: { 'x-enrollment-secret': secrets.ENROLLMENT_SECRET } },
    );
    assert.equal(registered.status, 201);
    const device = bearer(registered.body.device_token);

    const statuses: number[] = [];
    let sending = true;
    const traffic = (async () => {
      while (sending) {
        const response = await request('POST', `${devicesUrl}/api/v1/devices/${DEVICE}/metrics`, {
          body: { id: randomUUID(), cpu_usage: 10 },
          headers: device,
        });
        statuses.push(response.status);
        // An agent's pace: under one device's rate limit, and under the 1,000 records the
        // Mentor's query below returns in one page however long the restart takes.
        await sleep(150);
      }
    })();

    const old = launchers.find((l) => l.command.endsWith('start:mentor'))!;
    await old.stop();
    const mentor = Launcher.start('npm run start:mentor', env);
    launchers.push(mentor);
    const sentWhileAway = statuses.length;
    await mentor.waitReady(`${mentorUrl}/health/ready`);
    sending = false;
    await traffic;

    assert.ok(sentWhileAway > 0, 'Devices took requests while the Mentor was away');
    assert.deepEqual(
      statuses.filter((status) => status !== 201),
      [],
      `${statuses.length} requests`,
    );
    // Everything Devices took in while the Mentor was away reaches it.
    const admin = bearer((await login(mentorUrl, 'admin', secrets.ADMIN_PASSWORD)).access_token);
    await waitFor(
      async () => {
        const metrics = await request<unknown[]>(
          'GET',
          `${mentorUrl}/devices/${DEVICE}/metrics?limit=1000`,
          {
            headers: admin,
          },
        );
        return metrics.status === 200 && metrics.body.length === statuses.length;
      },
      { timeoutMs: 60_000, message: `${statuses.length} metrics at the Mentor` },
    );
  });
});
