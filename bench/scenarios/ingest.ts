import { setTimeout as delay } from 'node:timers/promises';
import { BenchContext, blackHole, metricSample, startBaseline } from '../lib/context';
import { MetricsLoad } from '../lib/metrics-load';
import type { LoadResult } from '../lib/load';
import { ProcessWatch, round, type ProcessSample } from '../lib/proc';
import type { Measurement, ScenarioResult } from '../lib/result';

const CONNECTIONS = 50;

/**
 * Single-record (a) or 100-record (b) metrics POSTs to the Devices service, authenticated
 * with device tokens, validated, stored and outboxed (MENTOR_API_URL points at a server that
 * never answers, so every record gets its outbox row but the relay does not compete for the CPU), against a
 * baseline on the same database: a bare node:http server with one INSERT per request (a), or
 * the raw multi-row INSERT ceiling of the database itself (b).
 */
export async function ingestScenario(ctx: BenchContext, batch: number): Promise<ScenarioResult> {
  const name = batch === 1 ? 'ingest-single' : 'ingest-batch';
  const durationS = ctx.options.quick ? 8 : 20;
  const warmupS = ctx.options.quick ? 2 : 4;
  const url = await ctx.db.create(`bench_${name.replace('-', '_')}`);
  const hole = await blackHole();
  const devices = await ctx.startDevices(url, hole.url);
  const pool = ctx.pool(url);
  const measurements: Measurement[] = [];
  try {
    const fleet = await ctx.enrol(devices, CONNECTIONS);
    await pool.query('CREATE TABLE public.baseline_metrics (LIKE devices.metrics INCLUDING ALL)');
    const generator = new MetricsLoad(ctx.options.loadGenerator ?? 'autocannon', batch);
    const timing = { warmupS, durationS };
    const targets = fleet.map((device) => ({
      path: `/api/v1/devices/${device.id}/metrics`,
      headers: { Authorization: device.auth },
    }));
    const connections =
      batch === 1 ? CONNECTIONS : Number(process.env.BENCH_BATCH_CONNECTIONS ?? 16);

    const baselineTargets = fleet.map((device) => ({ path: `/devices/${device.id}`, headers: {} }));
    const measureBaseline = async (label: string, database: boolean): Promise<Measurement> => {
      const baseline = await startBaseline(url, { database });
      try {
        const run = await generator.measure(baseline.url, baselineTargets, CONNECTIONS, timing, {
          baseline: () => [baseline.pid],
          postgres: ctx.postgresPids,
        });
        return { label, ...run };
      } finally {
        await baseline.stop();
      }
    };
    // The machine's HTTP floor: what no server doing any work per request can beat here.
    const floor =
      batch === 1
        ? await measureBaseline('HTTP floor: node:http, JSON parsed, no database', false)
        : undefined;
    // Baseline and Raqeem take turns, round after round: the host's speed moves by tens of
    // percent from minute to minute, and a pair measured back to back shares its moment.
    const rounds: Round[] = [];
    for (let i = 0; i < roundCount(ctx.options.quick); i += 1) {
      const base =
        batch === 1
          ? await measureBaseline('baseline: node:http + 1 INSERT/request', true)
          : await rawInsertCeiling(ctx, url, batch, durationS);
      const run = await generator.measure(devices.url, targets, connections, timing, {
        devices: () => [devices.pid!],
        postgres: ctx.postgresPids,
      });
      rounds.push({ base, run, rate: run.load.rps * batch, baseRate: recordsPerS(base) });
    }
    const base = median(rounds, (r) => r.baseRate).base;
    const {
      run: { load, processes },
      rate,
    } = median(rounds, (r) => r.rate);
    const ratios = rounds.map((r) => r.rate / r.baseRate);
    base.extra = { ...base.extra, rounds: rounds.map((r) => Math.round(r.baseRate)).join(', ') };
    measurements.push(base, ...(floor ? [floor] : []));

    // Every 201 is a committed record queued in the outbox (records are queued in bundles, and
    // each enrolled device's record too): check the counts agree.
    const { rows } = await pool.query<{ metrics: number; outbox: number; outboxRows: number }>(
      `SELECT (SELECT count(*) FROM devices.metrics)::int AS metrics,
              (SELECT sum(coalesce(bundle_size, 1)) FROM devices.outbox)::int AS outbox,
              (SELECT count(*) FROM devices.outbox)::int AS "outboxRows"`,
    );
    measurements.push({
      label: `Raqeem Devices (${batch === 1 ? 'single record' : `${batch}-record batches`}, ${connections} connections)`,
      load,
      recordsPerS: rate,
      processes,
      extra: {
        rounds: rounds.map((r) => Math.round(r.rate)).join(', '),
        storedRows: rows[0].metrics,
        outboxRecords: rows[0].outbox,
        outboxRows: rows[0].outboxRows,
      },
    });
    return {
      scenario: name,
      description:
        batch === 1
          ? `single-record metrics POSTs at ${CONNECTIONS} connections vs bare node:http + one INSERT per request (load: ${generator.generator})`
          : `${batch}-record metrics batches at ${connections} connections vs the raw multi-row INSERT ceiling (load: ${generator.generator})`,
      measurements,
      ratio: {
        of: `records/s vs baseline (median of ${rounds.length} paired rounds)`,
        value: round(
          median(ratios, (r) => r),
          2,
        ),
      },
      targets:
        batch === 1
          ? [
              {
                what: 'single-record ingest',
                target: '>= 8000 req/s',
                value: `${load.rps} req/s`,
                met: load.rps >= 8000,
              },
              {
                what: 'single-record p99',
                target: '<= 30 ms',
                value: `${load.p99Ms} ms`,
                met: load.p99Ms <= 30,
              },
              {
                what: 'Devices peak RSS',
                target: '<= 250 MB',
                value: `${processes.devices.peakRssMb} MB`,
                met: processes.devices.peakRssMb <= 250,
              },
            ]
          : [
              {
                what: 'batched ingest',
                target: '>= 50000 records/s',
                value: `${rate} records/s`,
                met: rate >= 50_000,
              },
            ],
      notes: [
        `${load.failures} failed requests`,
        `rows stored ${rows[0].metrics}, outbox rows ${rows[0].outbox} (warm-up included)`,
      ],
    };
  } finally {
    await pool.end();
    await devices.stop();
    hole.close();
    await delay(200);
    await ctx.db.drop(`bench_${name.replace('-', '_')}`);
  }
}

interface Round {
  base: Measurement;
  run: { load: LoadResult; processes: Record<string, ProcessSample> };
  rate: number;
  baseRate: number;
}

/** Paired rounds of baseline and Raqeem: BENCH_ROUNDS, else 3 (1 with --quick). */
function roundCount(quick: boolean): number {
  const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('BENCH_ROUNDS must be 1 or more');
  return rounds;
}

function recordsPerS(measurement: Measurement): number {
  return measurement.recordsPerS ?? measurement.load!.rps;
}

/** The middle item by `key` (the upper middle of an even count). */
function median<T>(items: T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor(sorted.length / 2)];
}

/** Four connections doing back-to-back multi-row INSERTs straight into the database. */
async function rawInsertCeiling(
  ctx: BenchContext,
  url: string,
  batch: number,
  durationS: number,
): Promise<Measurement> {
  const pool = ctx.pool(url);
  const columns = [
    'id',
    'deviceid',
    'ts',
    ...Object.keys(metricSample()).filter((k) => k !== 'id'),
  ];
  const sql = `INSERT INTO public.baseline_metrics (${columns.join(', ')}) VALUES ${Array.from(
    { length: batch },
    (_, i) => `(${columns.map((_c, j) => `$${i * columns.length + j + 1}`).join(', ')})`,
  ).join(', ')}`;
  const watch = new ProcessWatch({ postgres: ctx.postgresPids, loadgen: () => [process.pid] });
  watch.start();
  let rows = 0;
  const end = Date.now() + durationS * 1000;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < end) {
        const values: unknown[] = [];
        const now = new Date().toISOString();
        for (let i = 0; i < batch; i += 1) {
          const sample = metricSample();
          values.push(sample.id, 'raw-device', now, ...columns.slice(3).map((c) => sample[c]));
        }
        await pool.query(sql, values);
        rows += batch;
      }
    }),
  );
  const processes = watch.stop();
  await pool.end();
  return {
    label: `baseline: raw ${batch}-row INSERTs, 4 connections, no HTTP`,
    recordsPerS: round(rows / durationS),
    processes,
  };
}
