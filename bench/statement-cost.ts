/**
 * `node dist/bench/statement-cost.js [records per statement] [statements] [rounds] [records per
 * request]` (defaults 100, 600, 2, all of a statement's): PostgreSQL's CPU per record for Devices' metrics ingest statement and for parts
 * of it, on one connection with nothing else running, so the database's share of a telemetry
 * record can be taken apart without HTTP, the load generator or concurrency in the way. The
 * statements are the service's own (`ingestStatement`); the parts are cut out of its text:
 *
 * - `ingest, forwarded`: the statement as Devices sends it (records, id claims, outbox bundle);
 * - `ingest, forwarded, webhooks`: the same with three webhook endpoints subscribed (the group's
 *   event row and fan-out rows; one event per request of `records per request`);
 * - `ingest, not forwarded`: the same without the outbox (a kind whose forwarding is off);
 * - `rows without id claims`: the telemetry rows alone (no `record_ids`);
 * - `id claims alone`: the `record_ids` claims alone (no telemetry rows);
 * - `parse alone`: the records read out of the JSON text, nothing written.
 *
 * CPU is the backend's utime+stime from /proc (10 ms ticks: keep a variant above ~1 s), WAL the
 * distance the insert position moved. Each variant warms up with 50 statements first, and the
 * rounds alternate the variants, so a drift of the host shows as a spread between rounds.
 * Records are fresh metric samples with random v4 ids, 50 devices, stamped now (today's
 * partition). Uses BENCH_DATABASE_URL if set, else the bench's embedded cluster.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { REPO_ROOT } from '../test/support/repo-root';
import { ingestStatement } from '../apps/devices/src/telemetry/telemetry.sql';
import { telemetryEventValues } from '../apps/devices/src/webhooks/webhook-events.service';
import { devicesDataSourceOptions } from '../apps/devices/src/database/devices-data-source';
import { ensureDailyPartitions, premadeDays, runMigrations } from '../libs/platform/src';
import { metricSample } from './lib/context';
import { BenchDatabase } from './lib/database';
import { cpuMicros } from './lib/proc';

const DATABASE = 'bench_statement_cost';
const DEVICES = 50;
const WARMUP = 50;
// Webhook endpoints subscribed in the webhooks variant (ids only: nothing is delivered).
const ENDPOINTS = [randomUUID(), randomUUID(), randomUUID()];

type Payload = Record<string, unknown> & { id: string; deviceid: string };

interface Variant {
  name: string;
  text: string;
  /** Whether it takes the outbox parameters ($2..$5) after the records. */
  forwarded: boolean;
  /** Whether it takes webhook event parameters after those (three endpoints subscribed). */
  webhooks?: boolean;
}

/** Cuts `pattern` out of `text`, insisting that it was there: a silent no-op would mislead. */
function cut(text: string, pattern: RegExp, replacement: string): string {
  const result = text.replace(pattern, replacement);
  if (result === text)
    throw new Error(`statement-cost: ${pattern} no longer matches the statement`);
  return result;
}

export function variants(): Variant[] {
  const forwarded = ingestStatement('metrics', true);
  const local = ingestStatement('metrics', false);
  const claims = /, claimed AS \([\s\S]*?RETURNING id\s*\)/;
  const rows = /, stored AS \([\s\S]*?RETURNING id\s*\)/;
  const tail = /\s*SELECT i\.id FROM input i WHERE NOT EXISTS[\s\S]*$/;
  return [
    { name: 'ingest, forwarded', text: forwarded, forwarded: true },
    {
      name: 'ingest, forwarded, webhooks',
      text: ingestStatement('metrics', true, true),
      forwarded: true,
      webhooks: true,
    },
    { name: 'ingest, not forwarded', text: local, forwarded: false },
    {
      name: 'rows without id claims',
      text: cut(cut(local, claims, ''), / JOIN claimed c ON c\.id = r\.id/, ''),
      forwarded: false,
    },
    {
      name: 'id claims alone',
      text: cut(cut(local, rows, ''), tail, ' SELECT count(*) FROM claimed'),
      forwarded: false,
    },
    {
      name: 'parse alone',
      text: cut(cut(cut(local, rows, ''), claims, ''), tail, ' SELECT count(*) FROM input'),
      forwarded: false,
    },
  ];
}

/** One statement's records as Devices sends them (the payload: wire names, device, time). */
function group(size: number): Payload[] {
  const now = new Date().toISOString();
  return Array.from({ length: size }, (_, i) => ({
    ...(metricSample(now) as { id: string }),
    deviceid: `bench-${i % DEVICES}`,
  }));
}

/** A statement's parameters: its records, split in requests of `perRequest` for the events. */
function parameters(variant: Variant, records: Payload[], perRequest: number): unknown[] {
  if (!variant.forwarded) return [Buffer.from(JSON.stringify(records))];
  const forwarding = [
    'mentor',
    'metrics',
    Array<string>(records.length).fill('bench-request'),
    1000,
  ];
  if (!variant.webhooks) return [Buffer.from(JSON.stringify(records)), ...forwarding];
  const jobs = [];
  for (let i = 0; i < records.length; i += perRequest) {
    jobs.push({ records: records.slice(i, i + perRequest) });
  }
  const events = telemetryEventValues(jobs, ENDPOINTS);
  return [Buffer.from(events.doc), ...forwarding, ...events.values];
}

async function measure(
  client: Client,
  backend: number,
  variant: Variant,
  size: number,
  statements: number,
  perRequest: number,
): Promise<{ cpuUs: number; walBytes: number }> {
  const run = (values: unknown[]): Promise<unknown> =>
    client.query({ name: variant.name, text: variant.text, values });
  const bodies = Array.from({ length: WARMUP + statements }, () =>
    parameters(variant, group(size), perRequest),
  );
  for (const body of bodies.slice(0, WARMUP)) await run(body);
  const start = await client.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn() AS lsn');
  const fromCpu = cpuMicros(backend);
  for (const body of bodies.slice(WARMUP)) await run(body);
  const cpu = cpuMicros(backend) - fromCpu;
  const { rows } = await client.query<{ bytes: string }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1) AS bytes',
    [start.rows[0].lsn],
  );
  const records = size * statements;
  return { cpuUs: cpu / records, walBytes: Number(rows[0].bytes) / records };
}

async function main(): Promise<void> {
  const [size = 100, statements = 600, rounds = 2, perRequest = size] = process.argv
    .slice(2)
    .map(Number);
  const db = new BenchDatabase();
  await db.start(REPO_ROOT);
  const url = await db.create(DATABASE);
  const client = new Client({ connectionString: url });
  try {
    await runMigrations(devicesDataSourceOptions(url, 'public', 2));
    await client.connect();
    for (const table of ['metrics', 'activities', 'alerts']) {
      await ensureDailyPartitions(client, table, premadeDays(new Date(), 2));
    }
    await client.query(
      `INSERT INTO devices (deviceid) SELECT 'bench-' || n FROM generate_series(0, $1 - 1) n`,
      [DEVICES],
    );
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const list = variants();
    const results = new Map<string, { cpuUs: number; walBytes: number }[]>();
    // A first pass unreported: the first statements a backend runs cost more (caches).
    for (const variant of list) await measure(client, rows[0].pid, variant, size, 100, perRequest);
    for (let round = 0; round < rounds; round++) {
      for (const variant of list) {
        const result = await measure(client, rows[0].pid, variant, size, statements, perRequest);
        results.set(variant.name, [...(results.get(variant.name) ?? []), result]);
      }
    }
    console.log(
      `PostgreSQL ${await db.version()}, ${statements} statements of ${size} metric records per variant and round`,
    );
    for (const [name, runs] of results) {
      const cpu = runs.map((r) => r.cpuUs.toFixed(1)).join(' / ');
      const wal = runs.map((r) => Math.round(r.walBytes)).join(' / ');
      console.log(`${name.padEnd(24)} ${cpu} µs of CPU per record, ${wal} bytes of WAL`);
    }
  } finally {
    await client.end().catch(() => undefined);
    await db.drop(DATABASE);
    await db.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
