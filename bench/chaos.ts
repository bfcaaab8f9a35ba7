/**
 * `npm run chaos [-- --short]`: drives a mixed load (metrics, activities, alerts; unique ids;
 * agents retry unacknowledged requests with the same ids) through the real Devices and Mentor
 * services with a FaultProxy between them, and in one run: stops the Mentor for a while,
 * SIGKILLs Devices twice, resets connections, delays answers past the relay's timeout, drops
 * ~5 % of answers after the Mentor committed, and sends one poison record that the Mentor
 * (through the proxy) refuses with 422. Activities carry no timestamp, so a resent one arrives
 * with another receive time. Then it lets everything drain and prints the oracle:
 * acknowledged ids missing at the Mentor (must be none), duplicates at the Mentor (none),
 * dead letters (exactly the poison one), and the replay of that dead letter once the Mentor
 * accepts it. Exits non-zero on any loss, duplicate or unexpected dead letter. Ends with the
 * line `N passed, N failed` so CI counts it. Everything on 127.0.0.1; bounded in time.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { FaultProxy, type FaultAction } from '../test/support/fault-proxy';
import { request } from '../test/support/http-client';
import { TEST_OPERATOR_KEY, type ServiceProcess } from '../test/support/services';
import { BenchContext, metricSample } from './lib/context';
import { BenchDatabase } from './lib/database';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
type Kind = 'metrics' | 'activities' | 'alerts';
const KINDS: Kind[] = ['metrics', 'metrics', 'metrics', 'activities', 'alerts'];

interface Plan {
  loadS: number;
  outageAtS: number;
  outageS: number;
  killsAtS: number[];
  drainS: number;
  workers: number;
}

const SHORT: Plan = {
  loadS: 50,
  outageAtS: 8,
  outageS: 15,
  killsAtS: [28, 40],
  drainS: 60,
  workers: 4,
};
const FULL: Plan = {
  loadS: 240,
  outageAtS: 15,
  outageS: 120,
  killsAtS: [150, 195],
  drainS: 240,
  workers: 6,
};

function record(kind: Kind): Record<string, unknown> {
  if (kind === 'metrics') return metricSample(new Date().toISOString());
  if (kind === 'activities') {
    // No device timestamp: a resent activity is stored at its new receive time, another `ts`,
    // so only Devices' record_ids keeps it one record in the time-partitioned table.
    return {
      id: randomUUID(),
      activity_type: 'app_focus',
      description: 'chaos',
      app: 'editor',
      duration: 3,
    };
  }
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    level: 'warning',
    alert_type: 'cpu_high',
    message: 'chaos',
    value: 91,
    threshold: 90,
  };
}

async function main(): Promise<void> {
  const short = process.argv.includes('--short');
  const plan = short ? SHORT : FULL;
  const hardLimitS = plan.loadS + plan.drainS + 180;
  const guard = setTimeout(() => {
    console.error(`chaos: hard limit of ${hardLimitS} s reached`);
    console.log('0 passed, 1 failed');
    process.exit(2);
  }, hardLimitS * 1000);
  guard.unref();

  const db = new BenchDatabase();
  await db.start(REPO_ROOT);
  const ctx = new BenchContext(db, { quick: true, logLevel: 'warn' });
  const url = await db.create('chaos');
  const log = (line: string): void => console.log(`[chaos ${elapsed()}] ${line}`);
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;

  const mentor = await ctx.startMentor(url);
  const proxy = new FaultProxy(mentor.url);
  const proxyUrl = await proxy.start();
  const devices = await ctx.startDevices(url, proxyUrl, {
    FORWARD_TIMEOUT: '1s',
    FORWARD_MAX_BACKOFF: '5s',
  });
  const pool = ctx.pool(url);
  let ok = false;
  try {
    const fleet = await ctx.enrol(devices, 8);
    const poisonId = randomUUID();
    let faults = true;
    let poisonRefused = true;
    const tally: Record<string, number> = {};
    proxy.rule = (_path: string, body: string): FaultAction => {
      if (poisonRefused && body.includes(poisonId)) return { kind: 'respond', status: 422 };
      if (!faults) return { kind: 'pass' };
      const r = Math.random();
      const action: FaultAction =
        r < 0.05
          ? { kind: 'drop-response' }
          : r < 0.08
            ? { kind: 'reset' }
            : r < 0.11
              ? { kind: 'delay', ms: 1500 }
              : { kind: 'pass' };
      tally[action.kind] = (tally[action.kind] ?? 0) + 1;
      return action;
    };

    // Acknowledged ids per kind (2xx answers only) and the client-side counts.
    const acked: Record<Kind, Set<string>> = {
      metrics: new Set(),
      activities: new Set(),
      alerts: new Set(),
    };
    const stats = { requests: 0, acked: 0, retries: 0, gaveUp: 0 };
    let loading = true;
    const post = async (kind: Kind, records: Record<string, unknown>[]): Promise<void> => {
      const device = fleet[Math.floor(Math.random() * fleet.length)];
      // Like an agent: resend the same records (same ids) until acknowledged.
      for (let attempt = 0; attempt < 200; attempt += 1) {
        stats.requests += 1;
        try {
          const response = await request(
            'POST',
            `${devices.url}/api/v1/devices/${device.id}/${kind}`,
            {
              body: records,
              headers: { authorization: device.auth },
            },
          );
          if (response.status === 201 || response.status === 202) {
            for (const r of records) acked[kind].add(r.id as string);
            stats.acked += records.length;
            return;
          }
          if (response.status < 500 && response.status !== 429) {
            throw new Error(`devices refused a valid ${kind} batch: ${response.status}`);
          }
        } catch (error) {
          if ((error as Error).message.startsWith('devices refused')) throw error;
        }
        stats.retries += 1;
        if (!loading && attempt > 100) break;
        await delay(100 + Math.random() * 200);
      }
      stats.gaveUp += 1;
    };
    const worker = async (): Promise<void> => {
      while (loading) {
        const kind = KINDS[Math.floor(Math.random() * KINDS.length)];
        const n = 1 + Math.floor(Math.random() * 10);
        await post(
          kind,
          Array.from({ length: n }, () => record(kind)),
        );
        await delay(5);
      }
    };
    const workers = Array.from({ length: plan.workers }, worker);

    const at = async (s: number): Promise<void> => {
      const wait = started + s * 1000 - Date.now();
      if (wait > 0) await delay(wait);
    };
    const killAndRestart = async (service: ServiceProcess): Promise<void> => {
      await service.kill();
      log(`SIGKILLed devices; restarting`);
      await service.restart();
      log('devices up again');
    };

    await at(3);
    await post('metrics', [{ ...metricSample(new Date().toISOString()), id: poisonId }]);
    log(`poison record ${poisonId} acknowledged`);
    await at(plan.outageAtS);
    await mentor.stop();
    log(`mentor stopped for ${plan.outageS} s`);
    await at(plan.outageAtS + plan.outageS);
    await mentor.restart();
    log('mentor up again');
    for (const s of plan.killsAtS) {
      await at(s);
      await killAndRestart(devices);
    }
    await at(plan.loadS);
    loading = false;
    await Promise.all(workers);
    faults = false;
    log(
      `load stopped: ${stats.acked} records acknowledged in ${stats.requests} requests (${stats.retries} retries, ${stats.gaveUp} given up); proxy faults ${JSON.stringify(tally)}`,
    );

    // Drain: every pending outbox row delivered (the poison one dead).
    const pending = async (): Promise<number> =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM devices.outbox WHERE status = 'pending'`,
        )
      ).rows[0].n;
    const drainEnd = Date.now() + plan.drainS * 1000;
    while ((await pending()) > 0 && Date.now() < drainEnd) await delay(250);
    const left = await pending();
    log(`drained: ${left} pending outbox rows left`);

    const oracle = async (): Promise<{ missing: string[]; duplicates: number; extra: number }> => {
      const missing: string[] = [];
      let duplicates = 0;
      let extra = 0;
      for (const kind of ['metrics', 'activities', 'alerts'] as Kind[]) {
        const { rows } = await pool.query<{ id: string }>(
          `SELECT id::text AS id FROM mentor.${kind}`,
        );
        const stored = new Set(rows.map((r) => r.id));
        duplicates += rows.length - stored.size;
        for (const id of acked[kind]) if (!stored.has(id)) missing.push(`${kind}:${id}`);
        for (const id of stored) if (!acked[kind].has(id)) extra += 1;
      }
      // Alerts are counted on arrival: a redelivery that counted twice would show here.
      const { rows } = await pool.query<{ counted: number; open: number }>(
        `SELECT (SELECT coalesce(sum(unresolved), 0) FROM mentor.alert_counts)::int AS counted,
                (SELECT count(*) FROM mentor.alerts WHERE state <> 'resolved')::int AS open`,
      );
      duplicates += Math.abs(rows[0].counted - rows[0].open);
      return { missing, duplicates, extra };
    };
    const dead = await request<{ id: string; record_id: string; reason: string }[]>(
      'GET',
      `${devices.url}/api/v1/forwarding/dead-letters`,
      { headers: { 'x-api-key': TEST_OPERATOR_KEY } },
    );
    const before = await oracle();
    const deadIds = dead.body.map((d) => d.record_id);
    const missingBesidesPoison = before.missing.filter((m) => m !== `metrics:${poisonId}`);
    console.log('\nOracle (before replay)');
    console.log(`  acknowledged records:                  ${stats.acked}`);
    console.log(
      `  acknowledged but not at the mentor:    ${before.missing.length} (${before.missing.length === 1 && before.missing[0] === `metrics:${poisonId}` ? 'the poison record only' : before.missing.slice(0, 5).join(', ')})`,
    );
    console.log(`  duplicates at the mentor:              ${before.duplicates}`);
    console.log(
      `  stored at the mentor, never acked:     ${before.extra} (requests whose answer the client lost)`,
    );
    console.log(
      `  dead letters:                          ${deadIds.length} ${JSON.stringify(dead.body.map((d) => ({ record_id: d.record_id, reason: d.reason })))}`,
    );

    // Replay: the Mentor now accepts the record (the refusal is lifted), the operator replays.
    poisonRefused = false;
    const replay = await request<{ replayed: number }>(
      'POST',
      `${devices.url}/api/v1/forwarding/dead-letters/replay`,
      {
        body: { ids: dead.body.map((d) => String(d.id)) },
        headers: { 'x-api-key': TEST_OPERATOR_KEY },
      },
    );
    const replayEnd = Date.now() + 30_000;
    let replayed = false;
    while (!replayed && Date.now() < replayEnd) {
      const { rowCount } = await pool.query('SELECT 1 FROM mentor.metrics WHERE id = $1', [
        poisonId,
      ]);
      replayed = rowCount === 1;
      if (!replayed) await delay(250);
    }
    const after = await oracle();
    console.log('\nReplay');
    console.log(
      `  replay answered ${replay.status} ${JSON.stringify(replay.body)}; poison record at the mentor: ${replayed}`,
    );
    console.log(`  acknowledged but not at the mentor:    ${after.missing.length}`);
    console.log(`  duplicates at the mentor:              ${after.duplicates}`);

    const failures: string[] = [];
    if (left > 0) failures.push(`${left} outbox rows still pending after the drain`);
    if (missingBesidesPoison.length > 0)
      failures.push(`${missingBesidesPoison.length} acknowledged records lost`);
    if (before.duplicates > 0 || after.duplicates > 0) failures.push('duplicates at the mentor');
    if (deadIds.length !== 1 || deadIds[0] !== poisonId)
      failures.push(`dead letters ${JSON.stringify(deadIds)} instead of the poison record`);
    if (!replayed || after.missing.length > 0)
      failures.push('the replayed dead letter did not arrive');
    if (stats.gaveUp > 0) failures.push(`${stats.gaveUp} client requests never acknowledged`);
    if (stats.acked < 500)
      failures.push(`only ${stats.acked} records acknowledged: the load did not run`);
    ok = failures.length === 0;
    console.log(`\nchaos ${ok ? 'PASSED' : `FAILED: ${failures.join('; ')}`} in ${elapsed()}`);
  } catch (error) {
    console.error(error);
  } finally {
    await pool.end().catch(() => undefined);
    await devices.stop().catch(() => undefined);
    await mentor.stop().catch(() => undefined);
    await proxy.stop().catch(() => undefined);
    await db.drop('chaos').catch(() => undefined);
    await db.stop().catch(() => undefined);
  }
  console.log(ok ? '1 passed, 0 failed' : '0 passed, 1 failed');
  process.exit(ok ? 0 : 1);
}

void main();
