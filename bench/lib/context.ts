import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { Pool } from 'pg';
import { login } from '../../test/support/auth';
import type { LoadGenerator } from './metrics-load';
import { freePort } from '../../test/support/free-port';
import { request } from '../../test/support/http-client';
import {
  ServiceProcess,
  TEST_ADMIN_PASSWORD,
  TEST_ENROLLMENT_SECRET,
  TEST_JWT_SECRET,
  TEST_OPERATOR_KEY,
  TEST_SERVICE_TOKEN,
} from '../../test/support/services';
import { BenchDatabase } from './database';
import { withChildren } from './proc';

/** Limits high enough that the benchmark measures the service, not its abuse protection. */
const UNLIMITED = '1000000000';

export interface BenchOptions {
  quick: boolean;
  logLevel: string;
  /** Drives the ingest scenarios (see metrics-load.ts); autocannon when unset. */
  loadGenerator?: LoadGenerator;
}

/** What every scenario needs: the database server, service launchers, process readings. */
export class BenchContext {
  constructor(
    readonly db: BenchDatabase,
    readonly options: BenchOptions,
  ) {}

  /** PostgreSQL's processes (postmaster and backends), for the process readings. */
  postgresPids = (): number[] => (this.db.postmasterPid ? withChildren(this.db.postmasterPid) : []);

  async startMentor(databaseUrl: string, port?: number): Promise<ServiceProcess> {
    return ServiceProcess.start(
      'mentor',
      {
        DATABASE_URL: databaseUrl,
        MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
        JWT_SECRET: TEST_JWT_SECRET,
        ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
        PASSWORD_HASH_ROUNDS: '10',
        LOG_LEVEL: this.options.logLevel,
        RATE_LIMIT_PER_IP: UNLIMITED,
        DEVICES_API_URL: 'http://127.0.0.1:9',
      },
      port,
      // e.g. BENCH_MENTOR_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the Mentor
      (process.env.BENCH_MENTOR_NODE_ARGS ?? '').split(' ').filter(Boolean),
    );
  }

  async startDevices(
    databaseUrl: string,
    mentorUrl: string | undefined,
    extra: Record<string, string> = {},
  ): Promise<ServiceProcess> {
    return ServiceProcess.start(
      'devices',
      {
        DATABASE_URL: databaseUrl,
        MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
        OPERATOR_API_KEY: TEST_OPERATOR_KEY,
        ENROLLMENT_SECRET: TEST_ENROLLMENT_SECRET,
        LOG_LEVEL: this.options.logLevel,
        RATE_LIMIT_PER_IP: UNLIMITED,
        RATE_LIMIT_PER_DEVICE: UNLIMITED,
        ...(mentorUrl ? { MENTOR_API_URL: mentorUrl } : {}),
        ...extra,
        // e.g. BENCH_DEVICES_ENV='FORWARD_BATCH_SIZE=2000 FORWARD_METRICS=false', for A/B runs
        ...envPairs(process.env.BENCH_DEVICES_ENV ?? ''),
      },
      undefined,
      // e.g. BENCH_DEVICES_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile Devices
      (process.env.BENCH_DEVICES_NODE_ARGS ?? '').split(' ').filter(Boolean),
    );
  }

  /** Enrols `count` devices and returns their ids and bearer tokens. */
  async enrol(
    devices: Pick<ServiceProcess, 'url'>,
    count: number,
  ): Promise<{ id: string; auth: string }[]> {
    const out: { id: string; auth: string }[] = [];
    for (let i = 0; i < count; i += 1) {
      const id = `bench-${i}-${randomUUID().slice(0, 8)}`;
      const response = await request<{ device_token: string }>(
        'POST',
        `${devices.url}/api/v1/devices/register`,
        {
          body: { deviceid: id, device_name: `bench ${i}`, os: 'linux' },
          headers: { 'x-enrollment-secret': TEST_ENROLLMENT_SECRET },
        },
      );
      if (response.status !== 201) throw new Error(`enrolling ${id}: ${response.status}`);
      out.push({ id, auth: `Bearer ${response.body.device_token}` });
    }
    return out;
  }

  async signIn(mentor: ServiceProcess): Promise<string> {
    return `Bearer ${(await login(mentor.url, 'admin', TEST_ADMIN_PASSWORD)).access_token}`;
  }

  pool(databaseUrl: string, schema?: string): Pool {
    return new Pool({
      connectionString: databaseUrl,
      max: 4,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
  }
}

/** The bare node:http baseline server in its own process (see baseline-server.ts). */
export async function startBaseline(
  databaseUrl: string,
  { database = true }: { database?: boolean } = {},
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(__dirname, '..', 'baseline-server.js'),
      String(port),
      databaseUrl,
      ...(database ? [] : ['--no-db']),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`baseline server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A mentor address that accepts connections and never answers: the ingest scenarios write
 * every outbox row, but the relay's sends wait (FORWARD_TIMEOUT) instead of failing at once
 * and churning through claims and retries, so the ingest path is measured alone.
 */
export async function blackHole(): Promise<{ url: string; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** One metric sample as an agent sends it. */
export function metricSample(timestamp?: string): Record<string, unknown> {
  return {
    id: randomUUID(),
    ...(timestamp ? { timestamp } : {}),
    cpu_usage: Math.round(Math.random() * 1000) / 10,
    cpu_temp: 55.5,
    memory_total: 17179869184,
    memory_used: 8589934592 + Math.floor(Math.random() * 1e9),
    swap_used: 0,
    disk_total: 512110190592,
    disk_used: 210000000000,
    net_bytes_in: Math.floor(Math.random() * 1e6),
    net_bytes_out: Math.floor(Math.random() * 1e6),
  };
}

/**
 * Builds the next single-record (or `batch`-record) metrics POST, the enrolled devices in turn,
 * each body fresh: for the open-loop tools driven by autocannon.
 */
export function metricPosts(
  fleet: { id: string; auth: string }[],
  batch: number,
): () => { path: string; headers: Record<string, string>; body: string } {
  let turn = 0;
  return () => {
    const device = fleet[(turn += 1) % fleet.length];
    const body = batch === 1 ? metricSample() : Array.from({ length: batch }, metricSample);
    return {
      path: `/api/v1/devices/${device.id}/metrics`,
      headers: { authorization: device.auth },
      body: JSON.stringify(body),
    };
  };
}

/** `KEY=value KEY2=value2` as an object; a word without `=` is refused, not ignored. */
function envPairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const at = word.indexOf('=');
    if (at <= 0) throw new Error(`BENCH_DEVICES_ENV: expected KEY=value, got "${word}"`);
    pairs[word.slice(0, at)] = word.slice(at + 1);
  }
  return pairs;
}
