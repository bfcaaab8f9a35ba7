import { EmbeddedPostgresCluster } from '@app/platform/database/embedded-postgres';
import { freePort } from '@app/testing/free-port';
import { request } from '@app/testing/http-client';
import { ServiceProcess, TEST_SERVICE_TOKEN } from '@app/testing/services';
import { waitFor } from '@app/testing/wait-for';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Devices on its embedded PostgreSQL (no DATABASE_URL), as `npm start` runs it: secrets and
 * cluster under DATA_DIR, shared by two instances, stopped and started under a running service.
 */
const DEVICE = 'embedded-db-device';

interface Health {
  status: string;
  database: string;
  service?: string;
}

function secretsOf(dataDir: string): { ENROLLMENT_SECRET: string } {
  return JSON.parse(fs.readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
    ENROLLMENT_SECRET: string;
  };
}

/** The cluster folder the start banner names (`database:  embedded PostgreSQL at <dir> (...`). */
function bannerCluster(logs: string): string {
  const found = /embedded PostgreSQL at (\S+) \(/.exec(logs);
  assert.ok(found, `the banner names the database:\n${logs.slice(-2000)}`);
  return found[1];
}

function postmasterOf(clusterDir: string): number {
  return Number.parseInt(fs.readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8'), 10);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Runs initdb for DATA_DIR's Devices cluster through the same library the service uses, so the
 * slow first initdb happens outside the service's start-up deadline; the service then finds
 * that cluster exactly as it would have made it.
 */
async function prepareCluster(dataDir: string): Promise<void> {
  const cluster = new EmbeddedPostgresCluster({
    dataDir: join(dataDir, 'devices', 'pg'),
    log: () => undefined,
  });
  await cluster.start();
  await cluster.stop();
}

async function register(service: ServiceProcess, dataDir: string): Promise<string> {
  const response = await request<{ device_token: string }>(
    'POST',
    `${service.url}/api/v1/devices/register`,
    {
      body: { deviceid: DEVICE },
      headers: { 'x-enrollment-secret': secretsOf(dataDir).ENROLLMENT_SECRET },
    },
  );
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.device_token;
}

function postMetric(service: ServiceProcess, token: string): Promise<{ status: number }> {
  return request('POST', `${service.url}/api/v1/devices/${DEVICE}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    body: { cpu_usage: 12.5 },
  });
}

describe('Devices on its embedded database', () => {
  const services: ServiceProcess[] = [];
  const folders: string[] = [];

  afterAll(async () => {
    for (const service of services) await service.stop();
    for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  });

  async function devices(dataDir: string): Promise<ServiceProcess> {
    const service = await ServiceProcess.start('devices', {
      DATA_DIR: dataDir,
      // Forwarding on (to a closed port), so /health's forwarding facts read the database.
      MENTOR_API_URL: `http://127.0.0.1:${await freePort()}`,
      MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
    });
    services.push(service);
    return service;
  }

  it('keeps the database of an instance when a second one on the same DATA_DIR exits, reconnects when it returns, and answers /health with 503, never 500', async () => {
    const checkout = fs.mkdtempSync(join(tmpdir(), 'raqeem-embedded-'));
    fs.chmodSync(checkout, 0o755);
    folders.push(checkout);
    const dataDir = join(checkout, '.data');
    await prepareCluster(dataDir);
    const first = await devices(dataDir);
    const clusterDir = bannerCluster(first.logs);
    assert.equal(clusterDir, join(dataDir, 'devices', 'pg'), 'the cluster lives under DATA_DIR');
    const token = await register(first, dataDir);
    assert.equal((await postMetric(first, token)).status, 201);

    const second = await devices(dataDir);
    assert.equal(bannerCluster(second.logs), clusterDir);
    assert.equal((await postMetric(second, token)).status, 201);
    await second.stop();
    assert.equal((await request('GET', `${first.url}/health/ready`)).status, 200);
    assert.equal((await postMetric(first, token)).status, 201, 'the first still ingests');

    // The database stops under the running service (fast shutdown, as a crash or an operator).
    const postmaster = postmasterOf(clusterDir);
    process.kill(postmaster, 'SIGINT');
    await waitFor(() => !alive(postmaster), { timeoutMs: 15_000, message: 'postgres to stop' });
    const ready = await request<Health>('GET', `${first.url}/health/ready`);
    assert.equal(ready.status, 503);
    for (let i = 0; i < 3; i++) {
      const summary = await request<Health>('GET', `${first.url}/health`);
      assert.equal(summary.status, 503, JSON.stringify(summary.body));
      assert.equal(summary.body.status, 'error');
      assert.equal(summary.body.database, 'down');
      assert.equal(summary.body.service, 'devices');
    }

    // Another instance brings the database back; the first reconnects by itself.
    await second.restart();
    await waitFor(async () => (await request('GET', `${first.url}/health/ready`)).status === 200, {
      timeoutMs: 20_000,
      message: 'the first instance to be ready again',
    });
    assert.equal((await postMetric(first, token)).status, 201, 'and ingests again');
    const health = await request<Health>('GET', `${first.url}/health`);
    assert.equal(health.status, 200, JSON.stringify(health.body));

    await first.stop();
    assert.equal((await postMetric(second, token)).status, 201);
    const restarted = postmasterOf(clusterDir);
    await second.stop();
    assert.equal(alive(restarted), false, 'the last one out stops the database');
  });

  it('starts over when DATA_DIR is deleted, and the banner names where the cluster really is', async () => {
    // mkdtemp's 0700 folder: as root the postgres user cannot reach it, as a checkout under /root.
    const checkout = fs.mkdtempSync(join(tmpdir(), 'raqeem-closed-'));
    folders.push(checkout);
    const dataDir = join(checkout, '.data');
    await prepareCluster(dataDir);
    const service = await devices(dataDir);
    const before = bannerCluster(service.logs);
    assert.ok(fs.existsSync(join(before, 'PG_VERSION')), `${before} holds the cluster`);
    if (process.getuid?.() === 0) {
      assert.ok(before.startsWith('/var/tmp/raqeem-data/'), before);
      folders.push(dirname(before));
    }
    const oldSecret = secretsOf(dataDir).ENROLLMENT_SECRET;
    const token = await register(service, dataDir);
    assert.equal((await postMetric(service, token)).status, 201);
    await service.stop();

    fs.rmSync(dataDir, { recursive: true, force: true });
    await prepareCluster(dataDir);
    await service.restart();
    // The restart's banner line: in JSON its fields come before the `listening on` message.
    const restartBanner = service.logs.lastIndexOf('\n', service.logs.lastIndexOf('listening on'));
    const after = bannerCluster(service.logs.slice(restartBanner + 1));
    if (after !== before) folders.push(dirname(after));
    assert.notEqual(secretsOf(dataDir).ENROLLMENT_SECRET, oldSecret, 'new secrets');
    assert.equal((await postMetric(service, token)).status, 401, 'the old device token is gone');
    const fresh = await register(service, dataDir);
    assert.equal((await postMetric(service, fresh)).status, 201);
    if (before !== join(dataDir, 'devices', 'pg')) {
      assert.equal(fs.existsSync(before), false, 'the relocated cluster went with DATA_DIR');
    }
  });
});
