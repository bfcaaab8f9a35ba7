import { setTimeout as delay } from 'node:timers/promises';
import type { ServiceProcess } from '../../test/support/services';
import { BenchContext, metricSample } from '../lib/context';
import { cannon } from '../lib/load';
import { ProcessWatch, round, rssMb } from '../lib/proc';
import type { Measurement, ScenarioResult } from '../lib/result';

const OFFERED_RECORDS_PER_S = 2000;
const BATCH = 10;

/**
 * Forwarding Devices -> Mentor. (1) Steady-state lag at a fixed offered load: records are
 * posted at 2,000/s (200 requests/s of 10) and the lag of each is the Mentor's commit-time
 * `received_at` minus the Devices' `received_at` (both from the same PostgreSQL clock).
 * (2) Backlog drain: the Mentor is stopped, a backlog is ingested, the Mentor is started again
 * and the rate at which the backlog reaches it is measured from its first to its last record.
 * With `outageS` (the opt-in soak) the outage lasts that long under 2,000 records/s and the
 * Devices RSS is sampled through it.
 */
export async function forwardScenario(
  ctx: BenchContext,
  outageS?: number,
): Promise<ScenarioResult> {
  const dbName = outageS ? 'bench_soak' : 'bench_forward';
  const url = await ctx.db.create(dbName);
  let mentor: ServiceProcess | undefined = await ctx.startMentor(url);
  const mentorPort = mentor.port;
  const devices = await ctx.startDevices(url, mentor.url);
  const pool = ctx.pool(url);
  const measurements: Measurement[] = [];
  const targets: ScenarioResult['targets'] = [];
  const notes: string[] = [];
  try {
    const fleet = await ctx.enrol(devices, 20);
    let turn = 0;
    const next = (): { path: string; headers: Record<string, string>; body: string } => {
      const device = fleet[(turn += 1) % fleet.length];
      return {
        path: `/api/v1/devices/${device.id}/metrics`,
        headers: { authorization: device.auth },
        body: JSON.stringify(Array.from({ length: BATCH }, () => metricSample())),
      };
    };
    // Polled while the relay works, so it must cost next to nothing: counting the mentor's
    // rows (a parallel scan of up to millions) every 100 ms took a share of the CPU the drain
    // was measured on, a share that grew with the backlog. The due index answers this.
    const pendingLeft = async (): Promise<{ pending: boolean; at: Date }> => {
      const { rows } = await pool.query<{ pending: boolean; at: Date }>(
        `SELECT EXISTS (SELECT FROM devices.outbox WHERE status = 'pending') AS pending,
                clock_timestamp() AS at`,
      );
      return rows[0];
    };
    const waitDrained = async (timeoutS: number): Promise<boolean> => {
      const end = Date.now() + timeoutS * 1000;
      while (Date.now() < end) {
        if (!(await pendingLeft()).pending) return true;
        await delay(200);
      }
      return false;
    };

    if (!outageS) {
      // (1) steady-state lag
      const durationS = ctx.options.quick ? 10 : 30;
      const rate = OFFERED_RECORDS_PER_S / BATCH;
      await cannon({ url: devices.url, connections: 10, durationS: 3, overallRate: rate, next });
      await waitDrained(30);
      const started = new Date();
      const watch = new ProcessWatch({
        devices: () => [devices.pid!],
        mentor: () => [mentor!.pid!],
        postgres: ctx.postgresPids,
        loadgen: () => [process.pid],
      });
      watch.start();
      const load = await cannon({
        url: devices.url,
        connections: 10,
        durationS,
        overallRate: rate,
        next,
      });
      const drained = await waitDrained(60);
      const processes = watch.stop();
      const { rows } = await pool.query<{ n: number; p50: number; p99: number; max: number }>(
        `SELECT count(*)::int AS n,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99,
                max(lag) AS max
           FROM (SELECT extract(epoch FROM m.received_at - d.received_at) * 1000 AS lag
                   FROM devices.metrics d JOIN mentor.metrics m USING (id)
                  WHERE d.received_at >= $1) l`,
        [started],
      );
      const lag = rows[0];
      measurements.push({
        label: `steady state: ${OFFERED_RECORDS_PER_S} records/s offered (${rate} req/s of ${BATCH})`,
        load,
        recordsPerS: load.rps * BATCH,
        processes,
        extra: {
          lagRecords: lag.n,
          lagP50Ms: round(lag.p50, 1),
          lagP99Ms: round(lag.p99, 1),
          lagMaxMs: round(lag.max, 1),
        },
      });
      targets.push({
        what: 'forward lag p99 at 2,000 records/s',
        target: '<= 500 ms',
        value: `${round(lag.p99, 1)} ms (p50 ${round(lag.p50, 1)} ms)`,
        met: drained && lag.p99 <= 500,
      });
    }

    // (2) outage and backlog drain
    await mentor.stop();
    mentor = undefined;
    const rssSamples: number[] = [];
    const rssTimer = setInterval(() => rssSamples.push(rssMb(devices.pid!)), 1000);
    const outageWatch = new ProcessWatch({ devices: () => [devices.pid!] });
    outageWatch.start();
    let backlogLoad;
    if (outageS) {
      backlogLoad = await cannon({
        url: devices.url,
        connections: 10,
        durationS: outageS,
        overallRate: OFFERED_RECORDS_PER_S / BATCH,
        next,
      });
    } else {
      const fillS = ctx.options.quick ? 4 : 8;
      const bigBatch = (): { path: string; headers: Record<string, string>; body: string } => {
        const device = fleet[(turn += 1) % fleet.length];
        return {
          path: `/api/v1/devices/${device.id}/metrics`,
          headers: { authorization: device.auth },
          body: JSON.stringify(Array.from({ length: 100 }, () => metricSample())),
        };
      };
      backlogLoad = await cannon({
        url: devices.url,
        connections: 16,
        durationS: fillS,
        next: bigBatch,
      });
    }
    const outage = outageWatch.stop();
    const { rows: before } = await pool.query<{ backlog: number; at: Date }>(
      `SELECT coalesce(sum(coalesce(bundle_size, 1)), 0)::int AS backlog, clock_timestamp() AS at
         FROM devices.outbox WHERE status = 'pending'`,
    );
    const { backlog, at: restartAt } = before[0];
    mentor = await ctx.startMentor(url, mentorPort);
    const upAt = (await pendingLeft()).at;
    const drainWatch = new ProcessWatch({
      devices: () => [devices.pid!],
      mentor: () => [mentor!.pid!],
      postgres: ctx.postgresPids,
    });
    drainWatch.start();
    // Times are the database's: the last is when the outbox was first seen empty, the first is
    // the mentor's receive time of the earliest record it stored after the restart.
    let lastAt: Date | undefined;
    const end = Date.now() + 240_000;
    while (Date.now() < end) {
      const now = await pendingLeft();
      if (!now.pending) {
        lastAt = now.at;
        break;
      }
      await delay(100);
    }
    const drainProcesses = drainWatch.stop();
    const { rows: arrived } = await pool.query<{ delivered: number; first: Date | null }>(
      `SELECT count(*)::int AS delivered, min(received_at) AS first
         FROM mentor.metrics WHERE received_at >= $1`,
      [restartAt],
    );
    const { delivered, first } = arrived[0];
    const drainS = first && lastAt ? (lastAt.getTime() - first.getTime()) / 1000 : NaN;
    const drainRate = round(delivered / Math.max(drainS, 0.1));
    clearInterval(rssTimer);
    measurements.push({
      label: outageS
        ? `mentor outage of ${outageS} s under ${OFFERED_RECORDS_PER_S} records/s, then drain`
        : 'mentor outage: backlog ingested, then drain',
      load: backlogLoad,
      processes: { ...drainProcesses, 'devices (during outage)': outage.devices },
      extra: {
        backlog,
        delivered,
        mentorStartS: round((upAt.getTime() - restartAt.getTime()) / 1000, 1),
        firstDeliveryAfterUpS: first ? round((first.getTime() - upAt.getTime()) / 1000, 1) : -1,
        drainS: round(drainS, 1),
        drainRecordsPerS: drainRate,
        devicesRssFirstMb: round(rssSamples[0] ?? 0, 1),
        devicesRssMaxMb: round(Math.max(0, ...rssSamples), 1),
        devicesRssLastMb: round(rssSamples[rssSamples.length - 1] ?? 0, 1),
      },
    });
    targets.push({
      what: 'backlog drain',
      target: '>= 20000 records/s',
      value: `${drainRate} records/s (${delivered} records in ${round(drainS, 1)} s)`,
      met: lastAt !== undefined && drainRate >= 20_000,
    });
    const rssMax = Math.max(0, ...rssSamples);
    targets.push({
      what: `Devices RSS through the outage${outageS ? ` (${outageS} s)` : ''}`,
      target: '<= 250 MB and flat',
      value: `first ${round(rssSamples[0] ?? 0)} MB, max ${round(rssMax)} MB, last ${round(rssSamples[rssSamples.length - 1] ?? 0)} MB`,
      met: rssMax <= 250,
    });
    if (!lastAt) notes.push('the backlog did not drain within 240 s');
    return {
      scenario: outageS ? 'soak' : 'forward',
      description: outageS
        ? `mentor outage of ${outageS} s under 2,000 records/s offered, Devices memory through it, then drain`
        : 'forward lag at 2,000 records/s offered; backlog drain rate after a mentor outage',
      measurements,
      targets,
      notes,
    };
  } finally {
    await pool.end();
    await devices.stop();
    await mentor?.stop();
    await delay(200);
    await ctx.db.drop(dbName);
  }
}
