/**
 * `npm run bench [-- <scenario>...] [--quick] [--soak-seconds=N]`: runs the benchmark
 * scenarios against real services started as child processes on free loopback ports, on
 * BENCH_DATABASE_URL or an embedded PostgreSQL under .data/bench-pg; writes
 * bench/results/<timestamp>.json and bench/results/latest.json and prints a summary.
 *
 * Scenarios: ingest-single, ingest-batch, forward, dashboard (the query API), dashboard-ui (the
 * web dashboard in headless Chromium), agent (the default set) and soak (opt-in: a 10-minute
 * mentor outage under load, Devices memory through it).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchContext } from './lib/context';
import { BenchDatabase } from './lib/database';
import { chooseGenerator } from './lib/metrics-load';
import type { ScenarioResult } from './lib/result';
import { agentScenario } from './scenarios/agent';
import { dashboardScenario } from './scenarios/dashboard';
import { dashboardUiScenario } from './scenarios/dashboard-ui';
import { forwardScenario } from './scenarios/forward';
import { ingestScenario } from './scenarios/ingest';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT = ['ingest-single', 'ingest-batch', 'forward', 'dashboard', 'dashboard-ui', 'agent'];
const ALL = [...DEFAULT, 'soak'];
/** The whole run stops by itself after this long, whatever happens. */
const HARD_LIMIT_MS = 40 * 60_000;

function parse(args: string[]): { scenarios: string[]; quick: boolean; soakS: number } {
  const scenarios: string[] = [];
  let quick = false;
  let soakS = 600;
  for (const arg of args) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--soak-seconds=')) soakS = Number(arg.split('=')[1]);
    else if (ALL.includes(arg)) scenarios.push(arg);
    else throw new Error(`unknown argument ${arg}; scenarios: ${ALL.join(', ')}; --quick`);
  }
  return { scenarios: scenarios.length > 0 ? scenarios : DEFAULT, quick, soakS };
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: REPO_ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

function printSummary(results: ScenarioResult[]): void {
  const rows: string[][] = [
    ['scenario', 'run', 'req/s', 'records/s', 'p50 ms', 'p95 ms', 'p99 ms', 'CPU % (peak RSS MB)'],
  ];
  for (const result of results) {
    for (const m of result.measurements) {
      rows.push([
        result.scenario,
        m.label.slice(0, 60),
        m.load ? String(m.load.rps) : '',
        m.recordsPerS !== undefined ? String(m.recordsPerS) : '',
        m.load ? String(m.load.p50Ms) : '',
        m.load?.p95Ms !== undefined ? String(m.load.p95Ms) : '',
        m.load ? String(m.load.p99Ms) : '',
        Object.entries(m.processes)
          .map(([name, p]) => `${name} ${p.cpuPercent}% (${p.peakRssMb})`)
          .join(', '),
      ]);
      if (m.extra) rows.push(['', `  ${JSON.stringify(m.extra)}`, '', '', '', '', '', '']);
    }
    if (result.ratio)
      rows.push(['', `  ratio ${result.ratio.of}: ${result.ratio.value}`, '', '', '', '', '', '']);
  }
  const widths = rows[0].map((_, i) =>
    Math.max(...rows.filter((r) => r[i].length < 80).map((r) => r[i].length)),
  );
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
  console.log('\nTargets:');
  for (const result of results) {
    for (const t of result.targets) {
      console.log(`  ${t.met ? 'MET    ' : 'MISSED '} ${t.what}: ${t.value} (target ${t.target})`);
    }
  }
}

async function main(): Promise<void> {
  const { scenarios, quick, soakS } = parse(process.argv.slice(2));
  const guard = setTimeout(() => {
    console.error(`bench: hard limit of ${HARD_LIMIT_MS / 60_000} min reached, stopping`);
    process.exit(2);
  }, HARD_LIMIT_MS);
  guard.unref();
  const db = new BenchDatabase();
  await db.start(REPO_ROOT);
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
  const loadGenerator = chooseGenerator();
  if (loadGenerator === 'autocannon' && !process.env.BENCH_LOADGEN) {
    console.error('bench: wrk not found (apt-get install wrk); ingest load from autocannon');
  }
  const ctx = new BenchContext(db, { quick, logLevel, loadGenerator });
  const postgresVersion = await versionOf(db);
  const started = new Date();
  const loadBefore = os.loadavg();
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      console.error(`bench: ${scenario}${quick ? ' (quick)' : ''} ...`);
      const t0 = Date.now();
      if (scenario === 'ingest-single') results.push(await ingestScenario(ctx, 1));
      if (scenario === 'ingest-batch') results.push(await ingestScenario(ctx, 100));
      if (scenario === 'forward') results.push(await forwardScenario(ctx));
      if (scenario === 'dashboard') results.push(await dashboardScenario(ctx));
      if (scenario === 'dashboard-ui') results.push(await dashboardUiScenario(ctx));
      if (scenario === 'agent') results.push(await agentScenario(ctx));
      if (scenario === 'soak') results.push(await forwardScenario(ctx, soakS));
      console.error(`bench: ${scenario} done in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  } finally {
    await db.stop();
  }
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const report = {
    date: started.toISOString(),
    durationS: Math.round((Date.now() - started.getTime()) / 1000),
    commit: gitCommit(),
    options: {
      scenarios,
      quick,
      logLevel,
      loadGenerator,
      database: process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'embedded',
    },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: os.release(),
      loadavgBefore: loadBefore,
      loadavgAfter: os.loadavg(),
    },
    versions: {
      node: process.version,
      postgres: postgresVersion,
      nest: pkg.dependencies['@nestjs/core'],
      fastify: pkg.dependencies.fastify,
      pg: pkg.dependencies.pg,
    },
    results,
  };
  const dir = path.join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  printSummary(results);
  console.log(
    `\nload average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`results: ${path.relative(REPO_ROOT, file)}`);
}

async function versionOf(db: BenchDatabase): Promise<string> {
  try {
    return await db.version();
  } catch {
    return 'unknown (server stopped)';
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
