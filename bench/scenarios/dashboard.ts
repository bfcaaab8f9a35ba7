import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'pg';
import { BenchContext } from '../lib/context';
import { benchDeviceId, DEVICES, loadDashboardData } from '../lib/dashboard-data';
import { KeepAliveClient } from '../lib/keep-alive-client';
import { closedLoop } from '../lib/load';
import { ProcessWatch, round } from '../lib/proc';
import type { Measurement, ScenarioResult } from '../lib/result';
import { dashboardSql } from './dashboard-sql';

const CONCURRENCY = 4;

/**
 * Mentor dashboard queries over HTTP with a signed-in session, on a data set loaded with SQL
 * into the Mentor schema after its migrations: 1,000 devices, 10,000 metric samples each over
 * the last 24 h (10 M rows; 1 M with --quick), their per-minute rollups, and 200 open alerts each.
 */
export async function dashboardScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const perDevice = ctx.options.quick ? 1000 : 10_000;
  const durationS = ctx.options.quick ? 8 : 15;
  const url = await ctx.db.create('bench_dashboard');
  let mentor = await ctx.startMentor(url);
  const pool = ctx.pool(url, 'mentor');
  // As the Mentor connects (libs/platform typeorm-options), so the plans are the same.
  const sqlPool = new Pool({
    connectionString: url,
    max: CONCURRENCY,
    options: '-c search_path=mentor -c random_page_cost=1.1',
  });
  const measurements: Measurement[] = [];
  let client: KeepAliveClient | undefined;
  try {
    const loadStarted = Date.now();
    await loadDashboardData(pool, perDevice);
    const loadS = round((Date.now() - loadStarted) / 1000, 1);
    // A fresh process, so its memory reading covers the queries only.
    await mentor.stop();
    mentor = await ctx.startMentor(url);
    const auth = await ctx.signIn(mentor);
    const http = new KeepAliveClient(mentor.url, { authorization: auth }, CONCURRENCY);
    client = http;
    const device = (): string => benchDeviceId(Math.floor(Math.random() * DEVICES));
    const sql = dashboardSql(sqlPool);
    // Label, path, its SQL alone, p95 target in ms.
    const queries: [string, () => string, (device: string) => Promise<void>, number][] = [
      ['device list (first page of 100)', () => '/devices', sql.list, 50],
      [
        '24 h of metrics downsampled to 300 points',
        () => `/devices/${device()}/metrics?points=300`,
        sql.metrics,
        50,
      ],
      ['alerts page (100 newest)', () => `/devices/${device()}/alerts`, sql.alerts, 50],
      [
        `all ${DEVICES} devices with 1 h sparklines of 24 points`,
        () => `/devices?limit=${DEVICES}&sparkline=1h&sparkline_points=24`,
        sql.sparklines,
        250,
      ],
    ];
    const targets: ScenarioResult['targets'] = [];
    const ratios: string[] = [];
    let metricsRatio = 0;
    for (const [label, path, baseline, targetMs] of queries) {
      const base = await measureBaseline(ctx, label, durationS, () => baseline(device()));
      measurements.push(base);
      const call = (): Promise<boolean> => http.get(path());
      await closedLoop(CONCURRENCY, 2, call);
      const watch = new ProcessWatch({
        mentor: () => [mentor.pid!],
        postgres: ctx.postgresPids,
        loadgen: () => [process.pid],
      });
      watch.start();
      const result = await closedLoop(CONCURRENCY, durationS, call);
      measurements.push({ label, load: result, processes: watch.stop() });
      const ratio = round(result.rps / base.load!.rps, 2);
      ratios.push(`${label}: API ${result.rps} req/s vs SQL ${base.load!.rps} q/s = ${ratio}`);
      if (path().includes('/metrics')) metricsRatio = ratio;
      targets.push({
        what: `${label} p95 at ${(perDevice * DEVICES) / 1e6} M rows`,
        target: `<= ${targetMs} ms`,
        value: `${result.p95Ms} ms`,
        met: result.p95Ms! <= targetMs && result.failures === 0,
      });
    }
    return {
      scenario: 'dashboard',
      description: `mentor dashboard queries, ${CONCURRENCY} concurrent signed-in clients, ${DEVICES} devices, ${(perDevice * DEVICES).toLocaleString('en')} metric rows, ${DEVICES * 200} open alerts`,
      measurements,
      ratio: { of: 'downsampled metrics req/s vs the same SQL through pg', value: metricsRatio },
      targets,
      notes: [`data set loaded with SQL in ${loadS} s`, ...ratios],
    };
  } finally {
    client?.close();
    await pool.end();
    await sqlPool.end();
    await mentor.stop();
    await delay(200);
    await ctx.db.drop('bench_dashboard');
  }
}

/** The same statements straight through node-postgres, same concurrency and duration. */
async function measureBaseline(
  ctx: BenchContext,
  label: string,
  durationS: number,
  run: () => Promise<void>,
): Promise<Measurement> {
  const call = async (): Promise<boolean> => {
    await run();
    return true;
  };
  await closedLoop(CONCURRENCY, 2, call);
  const watch = new ProcessWatch({ postgres: ctx.postgresPids, loadgen: () => [process.pid] });
  watch.start();
  const result = await closedLoop(CONCURRENCY, durationS, call);
  return { label: `baseline: ${label}, its SQL through pg`, load: result, processes: watch.stop() };
}
