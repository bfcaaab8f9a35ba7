/**
 * `node dist/bench/instructions.js [records per request] [warm-up requests] [measured
 * requests]` (defaults 1, 20,000, 5,000): the instructions the Devices service executes per
 * telemetry request, counted by valgrind's callgrind, for A/B comparisons of small changes. CPU time on this kind of shared 2-core VM
 * moves by tens of percent from minute to minute; an instruction count does not depend on the
 * host's speed, only on the work done. What is left of the noise comes from timing inside the
 * service (group sizes of the group commit, timers, JIT tiering): two runs of the same code
 * at 50 connections differ by about 3-5 % (bench/README.md), so a change is worth calling only
 * beyond that. Devices runs under valgrind (tens of times slower, about a minute to start),
 * is warmed up, then its counters are zeroed, the measured load runs and they are dumped.
 * Only the Node process is counted (PostgreSQL and the kernel are not). Needs valgrind.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { SERVICE_NODE_ARGS } from '../libs/platform/src/runtime/service-node-args';
import { freePort } from '../test/support/free-port';
import {
  TEST_ENROLLMENT_SECRET,
  TEST_OPERATOR_KEY,
  TEST_SERVICE_TOKEN,
} from '../test/support/services';
import { BenchContext, blackHole, metricPosts } from './lib/context';
import { BenchDatabase } from './lib/database';
import { cannon } from './lib/load';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CONNECTIONS = 50;
// vgdb names its pipes after these; the service's HOST is 127.0.0.1, so vgdb must agree.
const VGDB_ENV = { LOGNAME: 'root', HOST: '127.0.0.1' };

async function main(): Promise<void> {
  const [batch = 1, warmup = 20_000, measured = 5_000] = process.argv.slice(2).map(Number);
  const db = new BenchDatabase();
  await db.start(REPO_ROOT);
  const ctx = new BenchContext(db, { quick: true, logLevel: 'info' });
  const url = await ctx.db.create('bench_instructions');
  const hole = await blackHole();
  const port = await freePort();
  const work = mkdtempSync(path.join(tmpdir(), 'raqeem-callgrind-'));
  const out = path.join(work, 'callgrind.out');
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '-q',
      // V8 writes the code it runs: valgrind must notice code changing anywhere.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...SERVICE_NODE_ARGS.devices,
      path.join(REPO_ROOT, 'dist', 'apps', 'devices', 'src', 'main.js'),
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ...VGDB_ENV,
        NODE_ENV: 'test',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        DATA_DIR: work,
        DATABASE_URL: url,
        MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
        OPERATOR_API_KEY: TEST_OPERATOR_KEY,
        ENROLLMENT_SECRET: TEST_ENROLLMENT_SECRET,
        RATE_LIMIT_PER_IP: '1000000000',
        RATE_LIMIT_PER_DEVICE: '1000000000',
        MENTOR_API_URL: hole.url,
        DEVICES_PORT: String(port),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  const control = (...args: string[]): void => {
    execFileSync('callgrind_control', [...args, String(child.pid)], {
      env: { ...process.env, ...VGDB_ENV },
      stdio: 'ignore',
    });
  };
  try {
    for (let waited = 0; ; waited += 1) {
      if (child.exitCode !== null) throw new Error(`Devices exited with ${child.exitCode}`);
      if (waited > 300) throw new Error('Devices under valgrind not ready within 300 s');
      const ready = await fetch(`${base}/health/ready`).catch(() => undefined);
      if (ready?.status === 200) break;
      await delay(1000);
    }
    const fleet = await ctx.enrol({ url: base }, CONNECTIONS);
    const next = metricPosts(fleet, batch);
    // JIT tiering goes by calls, not time: a count of requests warms up alike on any host.
    const drive = (amount: number) =>
      cannon({ url: base, connections: CONNECTIONS, durationS: 3600, amount, next });
    await drive(warmup);
    control('--zero');
    const load = await drive(measured);
    control('--dump=measured');
    const dump = readdirSync(work)
      .map((name) => path.join(work, name))
      .find((file) => file.startsWith(out) && readFileSync(file, 'utf8').includes('measured'));
    const total = Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(dump!, 'utf8'))?.[1]);
    console.log(
      `${load.requests} requests of ${batch} record(s) measured (${load.failures} failed): ` +
        `${Math.round(total / load.requests).toLocaleString('en')} instructions per request` +
        (process.env.KEEP_CALLGRIND ? ` (profile: ${dump})` : ''),
    );
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    hole.close();
    await ctx.db.drop('bench_instructions');
    await db.stop();
    if (!process.env.KEEP_CALLGRIND) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
