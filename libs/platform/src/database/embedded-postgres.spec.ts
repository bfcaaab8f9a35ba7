import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { EmbeddedPostgresCluster } from './embedded-postgres';

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
  const modulePath = path.join(__dirname, 'embedded-postgres.js');
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

void describe('EmbeddedPostgresCluster', () => {
  let root: string;
  const clusters: EmbeddedPostgresCluster[] = [];
  const track = (cluster: EmbeddedPostgresCluster): EmbeddedPostgresCluster => {
    clusters.push(cluster);
    return cluster;
  };

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'raqeem-embedded-pg-'));
    // mkdtemp makes 0700 folders; as root that would send every cluster to /var/tmp.
    fs.chmodSync(root, 0o755);
  });

  after(async () => {
    // A failed test must not leave a postmaster behind.
    for (const cluster of clusters) await cluster.stop().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  void it('starts a fresh cluster, creates a database, answers queries and stops', async () => {
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

  void it('keeps its data across a stop and a second start, even when the preferred port is taken', async () => {
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

  void it('reuses the postmaster left running by an owner that was killed with SIGKILL', async () => {
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

  void it('starts anew when postmaster.pid is stale', async () => {
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

  void it(
    'as root, moves a cluster the postgres user cannot reach to /var/tmp and says where',
    { skip: process.getuid?.() !== 0 ? 'needs root' : false },
    async () => {
      const hidden = path.join(root, 'hidden');
      fs.mkdirSync(hidden, { mode: 0o700 });
      fs.chmodSync(hidden, 0o700);
      const dataDir = path.join(hidden, 'pg');
      const relocated = path.join(
        '/var/tmp/raqeem-data',
        createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
      );
      const lines: string[] = [];
      const cluster = track(
        new EmbeddedPostgresCluster({ dataDir, log: (line) => lines.push(line) }),
      );
      try {
        await cluster.start();
        assert.equal(cluster.dataDir, relocated);
        assert.deepEqual(await query(cluster.url('postgres'), 'SELECT 3 AS three'), [{ three: 3 }]);
        const marker = fs.readFileSync(
          path.join(dataDir, 'EMBEDDED-POSTGRES-LOCATION.txt'),
          'utf8',
        );
        assert.equal(marker.split('\n')[0], relocated);
        assert.ok(lines.some((line) => line.includes(relocated)));
      } finally {
        await cluster.stop();
        fs.rmSync(relocated, { recursive: true, force: true });
      }
    },
  );
});
