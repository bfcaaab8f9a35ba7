/**
 * `node dist/bench/fixed-rate.js [requests/s] [records per request] [seconds] [rounds]`: the
 * Devices CPU per request at a fixed offered load (an open loop, below saturation), for A/B
 * comparisons on a shared machine. The scenarios of run.ts drive the service as fast as it
 * answers, so their CPU per request moves with whatever else the machine runs; at a fixed rate
 * the figure is steadier, and the median of several rounds steadier still. Same setup as the
 * ingest scenarios (enrolled devices with tokens, relay pointed at a socket that never answers);
 * BENCH_LOG_LEVEL and BENCH_DEVICES_NODE_ARGS apply. Prints one line per round and the median.
 */
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BenchContext, blackHole, metricPosts } from './lib/context';
import { BenchDatabase } from './lib/database';
import { cannon } from './lib/load';
import { ProcessWatch, round } from './lib/proc';

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
  const devices = await ctx.startDevices(url, hole.url);
  try {
    const fleet = await ctx.enrol(devices, 50);
    const next = metricPosts(fleet, batch);
    const connections = batch === 1 ? 50 : 16;
    await cannon({ url: devices.url, connections, durationS: 3, next, overallRate: rate });
    const perRequest: number[] = [];
    for (let i = 0; i < rounds; i++) {
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
      console.log(
        `${load.rps} req/s (${load.rps * batch} records/s), p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ` +
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
  } finally {
    await devices.stop();
    hole.close();
    await delay(200);
    await ctx.db.drop('bench_fixed_rate');
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
