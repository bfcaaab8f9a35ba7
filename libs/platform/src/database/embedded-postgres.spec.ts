import { compiledFile } from '@app/testing/repo-root';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { EmbeddedPostgresCluster } from './embedded-postgres';
import { MARKER_FILE, RELOCATED_ROOT } from './relocated-cluster';

/** Tests of what only a root run does (skipped, and counted as skipped, otherwise). */
const describeAsRoot = process.getuid?.() === 0 ? describe : describe.skip;

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An orphaned postmaster that exited stays a zombie until init reaps it, which some
  // container inits never do.
  try {
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function postmasterPid(dataDir: string): number {
  return Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8'), 10);
}

async function waitForExit(pid: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (isAlive(pid) && Date.now() < deadline) await delay(50);
}

/** Starts a cluster in a separate Node process and returns once it is up, with that process. */
async function startInChildProcess(
  dataDir: string,
): Promise<{ pid: number; port: number; kill: () => void }> {
  const modulePath = compiledFile('libs/platform/src/database/embedded-postgres.ts');
  const script = `
    const { EmbeddedPostgresCluster } = require(${JSON.stringify(modulePath)});
    const cluster = new EmbeddedPostgresCluster({ dataDir: ${JSON.stringify(dataDir)} });
    cluster.start().then(
      () => { process.stdout.write(JSON.stringify({ port: cluster.port }) + '\\n'); setInterval(() => {}, 1000); },
      (err) => { console.error(err); process.exit(1); },
    );`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`owner process exited early (${code})`)));
  });
  const { port } = JSON.parse(line) as { port: number };
  return { pid: child.pid ?? 0, port, kill: () => child.kill('SIGKILL') };
}

describe('EmbeddedPostgresCluster', () => {
  let root: string;
  const clusters: EmbeddedPostgresCluster[] = [];
  const track = (cluster: EmbeddedPostgresCluster): EmbeddedPostgresCluster => {
    clusters.push(cluster);
    return cluster;
  };

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'raqeem-embedded-pg-'));
    // mkdtemp makes 0700 folders; as root that would send every cluster to /var/tmp.
    fs.chmodSync(root, 0o755);
  });

  afterAll(async () => {
    // A failed test must not leave a postmaster behind.
    for (const cluster of clusters) await cluster.stop().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts a fresh cluster, creates a database, answers queries and stops', async () => {
    const cluster = track(new EmbeddedPostgresCluster({ dataDir: path.join(root, 'fresh') }));
    await cluster.start();
    try {
      assert.equal(cluster.reused, false);
      assert.match(cluster.url('app'), /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/app$/);
      await cluster.ensureDatabase('app');
      await cluster.ensureDatabase('app');
      const [row] = await query(
        cluster.url('app'),
        `SELECT current_database() AS db, current_setting('max_connections') AS max_connections,
                current_setting('fsync') AS fsync, current_setting('server_encoding') AS encoding`,
      );
      assert.deepEqual(row, { db: 'app', max_connections: '200', fsync: 'on', encoding: 'UTF8' });
    } finally {
      await cluster.stop();
    }
    assert.equal(fs.existsSync(path.join(cluster.dataDir, 'postmaster.pid')), false);
  });

  it('keeps its data across a stop and a second start, even when the preferred port is taken', async () => {
    const dataDir = path.join(root, 'restart');
    const first = track(new EmbeddedPostgresCluster({ dataDir }));
    await first.start();
    try {
      await first.ensureDatabase('keep');
      await query(first.url('keep'), 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)');
    } finally {
      await first.stop();
    }

    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const second = track(
      new EmbeddedPostgresCluster({ dataDir, port: taken, log: () => undefined }),
    );
    try {
      await second.start();
      assert.notEqual(second.port, taken);
      assert.deepEqual(await query(second.url('keep'), 'SELECT v FROM kept'), [{ v: 42 }]);
    } finally {
      await second.stop();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('reuses the postmaster left running by an owner that was killed with SIGKILL', async () => {
    const dataDir = path.join(root, 'reuse');
    const owner = await startInChildProcess(dataDir);
    owner.kill();
    await waitForExit(owner.pid, 5_000);
    assert.equal(isAlive(owner.pid), false);

    const cluster = track(new EmbeddedPostgresCluster({ dataDir }));
    const survivor = postmasterPid(cluster.dataDir);
    assert.ok(isAlive(survivor), 'the postmaster outlives its owner');
    await cluster.start();
    try {
      assert.equal(cluster.reused, true);
      assert.equal(cluster.port, owner.port);
      assert.deepEqual(await query(cluster.url('postgres'), 'SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await cluster.stop();
    }
    assert.equal(isAlive(survivor), false);
  });

  it('starts anew when postmaster.pid is stale', async () => {
    const dataDir = path.join(root, 'stale');
    const cluster = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
    await cluster.start();
    assert.equal(cluster.dataDir, dataDir);
    const pid = postmasterPid(dataDir);
    const pidFile = fs.readFileSync(path.join(dataDir, 'postmaster.pid'));
    await cluster.stop();
    // What a crashed machine leaves behind: a pid file naming a process that is gone.
    fs.writeFileSync(path.join(dataDir, 'postmaster.pid'), pidFile);
    assert.equal(isAlive(pid), false);

    const again = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
    await again.start();
    try {
      assert.equal(again.reused, false);
      assert.deepEqual(await query(again.url('postgres'), 'SELECT 2 AS two'), [{ two: 2 }]);
    } finally {
      await again.stop();
    }
  });

  it("an instance attached to another live process's cluster leaves it running when it stops", async () => {
    const dataDir = path.join(root, 'shared');
    const owner = await startInChildProcess(dataDir);
    try {
      const neighbour = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
      await neighbour.start();
      assert.equal(neighbour.reused, true);
      const postmaster = postmasterPid(neighbour.dataDir);
      await neighbour.stop();
      assert.ok(isAlive(postmaster), 'the owner still uses it');
      const url = `postgres://postgres@127.0.0.1:${owner.port}/postgres`;
      assert.deepEqual(await query(url, 'SELECT 4 AS four'), [{ four: 4 }]);

      // Once the owner is gone, the last one to leave stops the postmaster.
      owner.kill();
      await waitForExit(owner.pid, 5_000);
      const last = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
      await last.start();
      await last.stop();
      assert.equal(isAlive(postmaster), false);
    } finally {
      owner.kill();
    }
  });

  it('is stopped by the last of the processes using it, whichever started it', async () => {
    const dataDir = path.join(root, 'last-out');
    const starter = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
    const attached = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
    await starter.start();
    await attached.start();
    const postmaster = postmasterPid(dataDir);
    await starter.stop();
    assert.ok(isAlive(postmaster));
    assert.deepEqual(await query(attached.url('postgres'), 'SELECT 5 AS five'), [{ five: 5 }]);
    await attached.stop();
    await waitForExit(postmaster, 5_000);
    assert.equal(isAlive(postmaster), false);
  });

  it('comes back on the port of its last run, so clients holding the old URL reconnect', async () => {
    const dataDir = path.join(root, 'same-port');
    const first = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
    await first.start();
    const port = first.port;
    await first.stop();
    const again = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
    await again.start();
    try {
      assert.equal(again.port, port);
    } finally {
      await again.stop();
    }
  });

  it('stops cleanly when its folder was deleted while it ran', async () => {
    const parent = path.join(root, 'deleted');
    const cluster = track(
      new EmbeddedPostgresCluster({ dataDir: path.join(parent, 'pg'), log: () => undefined }),
    );
    await cluster.start();
    const postmaster = postmasterPid(cluster.dataDir);
    fs.rmSync(parent, { recursive: true, force: true });
    await cluster.stop();
    assert.equal(isAlive(postmaster), false);
    assert.equal(fs.existsSync(parent), false, 'nothing recreated');
  });

  describeAsRoot('as root, with a folder the postgres user cannot reach', () => {
    let hidden: string;
    beforeAll(() => {
      hidden = path.join(root, 'hidden');
      fs.mkdirSync(hidden, { mode: 0o700 });
      fs.chmodSync(hidden, 0o700);
    });

    it('moves the cluster to /var/tmp, says where, and notes it in the folder', async () => {
      const dataDir = path.join(hidden, 'pg');
      const lines: string[] = [];
      const cluster = track(
        new EmbeddedPostgresCluster({ dataDir, log: (line) => lines.push(line) }),
      );
      try {
        await cluster.start();
        assert.equal(cluster.relocated, true);
        assert.match(cluster.dataDir, /^\/var\/tmp\/raqeem-data\/[0-9a-f]{16}-[0-9a-f]{12}\/pg$/);
        assert.deepEqual(await query(cluster.url('postgres'), 'SELECT 3 AS three'), [{ three: 3 }]);
        const marker = fs.readFileSync(path.join(dataDir, MARKER_FILE), 'utf8');
        assert.equal(marker.split('\n')[0], cluster.dataDir);
        assert.ok(lines.some((line) => line.includes(cluster.dataDir)));
      } finally {
        await cluster.stop();
        fs.rmSync(path.dirname(cluster.dataDir), { recursive: true, force: true });
      }
    });

    it('lives as long as its folder: a deleted folder gets a fresh cluster, the old one is removed', async () => {
      const dataDir = path.join(hidden, 'reset');
      const first = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
      await first.start();
      const oldPlace = first.dataDir;
      await first.ensureDatabase('app');
      await query(first.url('app'), 'CREATE TABLE kept (v int)');
      await first.stop();
      const again = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
      await again.start();
      assert.equal(again.dataDir, oldPlace, 'the folder still names its cluster');
      await again.stop();

      fs.rmSync(dataDir, { recursive: true, force: true });
      const fresh = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
      try {
        await fresh.start();
        assert.notEqual(fresh.dataDir, oldPlace);
        assert.equal(fs.existsSync(path.dirname(oldPlace)), false, 'the orphan is removed');
        const found = await query(
          fresh.url('postgres'),
          "SELECT 1 FROM pg_database WHERE datname = 'app'",
        );
        assert.deepEqual(found, []);
      } finally {
        await fresh.stop();
        fs.rmSync(path.dirname(fresh.dataDir), { recursive: true, force: true });
      }
    });

    it("removes the earlier layout's orphan (RELOCATED_ROOT/<hash>) once its folder is gone", async () => {
      const dataDir = path.join(hidden, 'legacy');
      const legacy = path.join(
        RELOCATED_ROOT,
        createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
      );
      fs.mkdirSync(legacy, { recursive: true });
      fs.writeFileSync(path.join(legacy, 'PG_VERSION'), '17\n');
      const cluster = track(new EmbeddedPostgresCluster({ dataDir, log: () => undefined }));
      try {
        await cluster.start();
        assert.notEqual(cluster.dataDir, legacy);
        assert.equal(fs.existsSync(legacy), false);
      } finally {
        await cluster.stop();
        fs.rmSync(legacy, { recursive: true, force: true });
        fs.rmSync(path.dirname(cluster.dataDir), { recursive: true, force: true });
      }
    });
  });
});
