/**
 * `node dist/bench/fixed-rate.js [requests/s] [records per request] [seconds] [rounds]`: the
 * Devices CPU per request at a fixed offered load (an open loop, below saturation), for A/B
 * comparisons on a shared machine. The scenarios of run.ts drive the service as fast as it
 * answers, so their CPU per request moves with whatever else the machine runs; at a fixed rate
 * the figure is steadier, and the median of several rounds steadier still. Same setup as the
 * ingest scenarios (enrolled devices with tokens, relay pointed at a socket that never answers);
 * BENCH_LOG_LEVEL and BENCH_DEVICES_NODE_ARGS apply. Prints one line per round and the median.
 *
 * BENCH_WEBHOOK_ENDPOINTS=N: the rounds alternate between no webhook endpoint and N endpoints
 * subscribed to metric.submitted (a local receiver answering 200 at once), switched as the
 * webhooks scenario switches them (scenarios/webhooks.ts), and the medians of both and their
 * ratio are printed, Devices and PostgreSQL CPU per request together.
 */
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BenchContext, blackHole, metricPosts } from './lib/context';
import { BenchDatabase } from './lib/database';
import { cannon } from './lib/load';
import { ProcessWatch, round } from './lib/proc';
import { fastReceiver, subscribe, subscribeTo } from './scenarios/webhooks';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const [rate = 2000, batch = 1, seconds = 5, rounds = 5] = process.argv.slice(2).map(Number);
  const db = new BenchDatabase();
  await db.start(REPO_ROOT);
  const ctx = new BenchContext(db, {
    quick: true,
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  });
  const url = await ctx.db.create('bench_fixed_rate');
  const hole = await blackHole();
  const endpoints = Number(process.env.BENCH_WEBHOOK_ENDPOINTS ?? 0);
  const receiver = endpoints > 0 ? await fastReceiver() : undefined;
  const devices = await ctx.startDevices(
    url,
    hole.url,
    receiver ? { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' } : {},
  );
  try {
    const fleet = await ctx.enrol(devices, 50);
    const next = metricPosts(fleet, batch);
    const connections = batch === 1 ? 50 : 16;
    await cannon({ url: devices.url, connections, durationS: 3, next, overallRate: rate });
    const perRequest: number[] = [];
    // Devices plus PostgreSQL CPU per request, without and with endpoints (BENCH_WEBHOOK_ENDPOINTS).
    const total: [number[], number[]] = [[], []];
    const ids = receiver ? await subscribe(devices.url, receiver.url, endpoints) : [];
    for (let i = 0; i < rounds; i++) {
      const hooked = receiver !== undefined && i % 2 === 1;
      const event = hooked ? 'metric.submitted' : 'activity.submitted';
      await subscribeTo(devices.url, ids, event);
      const watch = new ProcessWatch({
        devices: () => [devices.pid!],
        postgres: ctx.postgresPids,
        loadgen: () => [process.pid],
      });
      watch.start();
      const load = await cannon({
        url: devices.url,
        connections,
        durationS: seconds,
        next,
        overallRate: rate,
      });
      const cpu = watch.stop();
      const us = (percent: number): number => round((percent * 10_000) / load.rps);
      perRequest.push(us(cpu.devices.cpuPercent));
      total[hooked ? 1 : 0].push(us(cpu.devices.cpuPercent) + us(cpu.postgres.cpuPercent));
      console.log(
        `${hooked ? `${endpoints} endpoints: ` : ''}${load.rps} req/s (${load.rps * batch} records/s), p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ` +
          `${load.failures} failed | Devices ${cpu.devices.cpuPercent}% = ${us(cpu.devices.cpuPercent)} µs/request ` +
          `(${round(us(cpu.devices.cpuPercent) / batch, 1)} µs/record), peak RSS ${cpu.devices.peakRssMb} MB | ` +
          `PostgreSQL ${us(cpu.postgres.cpuPercent)} µs/request | load generator ${cpu.loadgen.cpuPercent}%`,
      );
    }
    perRequest.sort((a, b) => a - b);
    console.log(
      `median Devices CPU ${perRequest[Math.floor(perRequest.length / 2)]} µs/request ` +
        `(rounds: ${perRequest.join(', ')})`,
    );
    if (receiver) {
      const median = (xs: number[]): number =>
        [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const [without, withHooks] = total.map(median);
      console.log(
        `Devices + PostgreSQL CPU per request, median: ${without} µs without endpoints ` +
          `(${total[0].join(', ')}), ${withHooks} µs with ${endpoints} (${total[1].join(', ')}): ` +
          `ratio ${round(withHooks / without, 2)}`,
      );
    }
  } finally {
    await devices.stop();
    hole.close();
    await receiver?.close();
    await delay(200);
    await ctx.db.drop('bench_fixed_rate');
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
