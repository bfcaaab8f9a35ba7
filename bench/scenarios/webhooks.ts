import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { TEST_OPERATOR_KEY } from '../../test/support/services';
import { BenchContext, blackHole } from '../lib/context';
import type { LoadResult } from '../lib/load';
import { MetricsLoad } from '../lib/metrics-load';
import { round, type ProcessSample } from '../lib/proc';
import type { Measurement, ScenarioResult } from '../lib/result';

const ENDPOINTS = 3;
const operator = { 'x-api-key': TEST_OPERATOR_KEY, 'content-type': 'application/json' };

interface Run {
  load: LoadResult;
  processes: Record<string, ProcessSample>;
}

/**
 * Metrics ingest (single records at 50 connections, or 100-record batches at 16) with three
 * webhook endpoints subscribed to metric.submitted, against the same ingest with none, in
 * paired rounds on one Devices process (alternating which goes first); the ratio is the
 * geometric mean of the rounds' ratios. Each side starts right after a CHECKPOINT, so neither
 * runs into one (and the full-page images written after it) by chance.
 *
 * The three endpoints (a fast local receiver answering 200) stay registered for the whole run;
 * a side without endpoints switches them to an event the load never produces
 * (activity.submitted), so ingest writes no event, exactly as with no endpoint at all. What
 * they have queued is delivered in the background (paced while ingest is busy) through both
 * sides alike, so the sides differ only in the events ingest writes, and no side inherits
 * another's clean-up (deleting endpoints dropped tens of thousands of queued rows, whose vacuum
 * then ran into the next side). BENCH_WEBHOOK_RECEIVER=silent: endpoints that never answer.
 */
export async function webhooksScenario(ctx: BenchContext, batch: number): Promise<ScenarioResult> {
  const name = batch === 1 ? 'webhooks-single' : 'webhooks-batch';
  const connections = batch === 1 ? 50 : 16;
  const timing = { warmupS: ctx.options.quick ? 2 : 4, durationS: ctx.options.quick ? 8 : 20 };
  const database = `bench_${name.replace('-', '_')}`;
  const url = await ctx.db.create(database);
  const hole = await blackHole();
  const receiver = await fastReceiver();
  const devices = await ctx.startDevices(url, hole.url, {
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  try {
    const fleet = await ctx.enrol(devices, 50);
    const generator = new MetricsLoad(ctx.options.loadGenerator ?? 'autocannon', batch);
    const targets = fleet.map((device) => ({
      path: `/api/v1/devices/${device.id}/metrics`,
      headers: { Authorization: device.auth },
    }));
    const measure = async (): Promise<Run> => {
      await ctx.db.checkpoint();
      return generator.measure(devices.url, targets, connections, timing, {
        devices: () => [devices.pid!],
        postgres: ctx.postgresPids,
      });
    };
    const rounds: { without: Run; withHooks: Run; delivered: number }[] = [];
    // An even number of rounds, half in each order: the side measured second in a round came
    // out lower (bench/README.md), so an odd count would lean towards one side.
    const asked = Number(process.env.BENCH_ROUNDS ?? (ctx.options.quick ? 4 : 8));
    const count = asked + (asked % 2);
    const target = process.env.BENCH_WEBHOOK_RECEIVER === 'silent' ? hole.url : receiver.url;
    const ids = await subscribe(devices.url, target, ENDPOINTS);
    const side = async (events: string): Promise<{ run: Run; delivered: number }> => {
      await subscribeTo(devices.url, ids, events);
      const before = receiver.received();
      const run = await measure();
      return { run, delivered: receiver.received() - before };
    };
    const withHooks = (): Promise<{ run: Run; delivered: number }> => side('metric.submitted');
    const without = (): Promise<{ run: Run; delivered: number }> => side('activity.submitted');
    for (let i = 0; i < count; i += 1) {
      // The order alternates, so the tables' growth over the rounds weighs on both sides alike.
      if (i % 2 === 0) {
        const off = await without();
        const on = await withHooks();
        rounds.push({ without: off.run, withHooks: on.run, delivered: on.delivered });
      } else {
        const on = await withHooks();
        const off = await without();
        rounds.push({ without: off.run, withHooks: on.run, delivered: on.delivered });
      }
    }
    const rate = (run: Run): number => run.load.rps * batch;
    const ratios = rounds.map((r) => rate(r.withHooks) / rate(r.without));
    const middle = [...rounds].sort((a, b) => rate(a.withHooks) - rate(b.withHooks))[
      Math.floor(rounds.length / 2)
    ];
    // The geometric mean: a round at 1.1 and one at 0.9 average out to about 1, not 1.0 or 0.9.
    const ratio = round(Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / count), 2);
    const label = batch === 1 ? 'single record' : `${batch}-record batches`;
    const measurement = (what: string, run: Run, extra: Measurement['extra']): Measurement => ({
      label: `${what} (${label}, ${connections} connections)`,
      load: run.load,
      recordsPerS: rate(run),
      processes: run.processes,
      extra,
    });
    return {
      scenario: name,
      description: `metrics ingest with ${ENDPOINTS} webhook endpoints subscribed to metric.submitted vs none, paired rounds (load: ${generator.generator})`,
      measurements: [
        measurement('no webhook endpoint', middle.without, {
          rounds: rounds.map((r) => Math.round(rate(r.without))).join(', '),
        }),
        measurement(`${ENDPOINTS} endpoints subscribed`, middle.withHooks, {
          rounds: rounds.map((r) => Math.round(rate(r.withHooks))).join(', '),
          deliveriesPerS: round(middle.delivered / timing.durationS),
        }),
      ],
      ratio: {
        of: `records/s with ${ENDPOINTS} endpoints vs none (geometric mean of ${count} rounds, half in each order)`,
        value: ratio,
      },
      targets: [
        {
          what: `ingest with ${ENDPOINTS} webhook endpoints (${label})`,
          target: '>= 0.9 of ingest without',
          value: String(ratio),
          met: ratio >= 0.9,
        },
      ],
      notes: [
        `ratio of each round (the side without endpoints first in the odd-numbered ones): ${ratios.map((r) => round(r, 2)).join(', ')}`,
        `deliveries received during the measured run (warm-up included): ${rounds.map((r) => r.delivered).join(', ')}`,
      ],
    };
  } finally {
    await devices.stop();
    hole.close();
    await receiver.close();
    await delay(200);
    await ctx.db.drop(database);
  }
}

/** A receiver that answers every delivery at once, counting them. */
export async function fastReceiver(): Promise<{
  url: string;
  received: () => number;
  close: () => Promise<void>;
}> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export async function subscribe(
  devicesUrl: string,
  receiverUrl: string,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${devicesUrl}/api/v1/webhooks`, {
      method: 'POST',
      headers: operator,
      body: JSON.stringify({ url: `${receiverUrl}/hook-${i}`, events: ['metric.submitted'] }),
    });
    if (response.status !== 201)
      throw new Error(`registering a webhook answered ${response.status}`);
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

/** Points the endpoints at one event type (the bench's on/off switch for ingest's events). */
export async function subscribeTo(devicesUrl: string, ids: string[], event: string): Promise<void> {
  for (const id of ids) {
    const response = await fetch(`${devicesUrl}/api/v1/webhooks/${id}`, {
      method: 'PATCH',
      headers: operator,
      body: JSON.stringify({ events: [event] }),
    });
    if (response.status !== 200) throw new Error(`updating a webhook answered ${response.status}`);
  }
}
