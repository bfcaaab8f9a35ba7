import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Client } from 'pg';
import type { RunAs } from './postgres-user';

export function postgresEnv(): NodeJS.ProcessEnv {
  // A clean environment: PG* variables of the caller (PGPORT, PGDATA...) must not leak in, and
  // locale C keeps messages and collation predictable.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C',
    LC_ALL: 'C',
  };
  if (process.env.TZ) env.TZ = process.env.TZ;
  return env;
}

export function runToCompletion(
  command: string,
  args: string[],
  runAs: RunAs | undefined,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: '/',
      env: postgresEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(runAs ?? {}),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (err) => resolve({ code: -1, output: `${output}\n${err.message}` }));
    child.once('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

export async function ping(port: number): Promise<void> {
  const client = new Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function choosePort(preferred: number): Promise<number> {
  if (preferred > 0 && (await tryListen(preferred)) === preferred) return preferred;
  const port = await tryListen(0);
  if (!port) throw new Error('could not find a free TCP port on 127.0.0.1');
  return port;
}

/** Listens briefly on 127.0.0.1:port and returns the port bound, or 0 if it was taken. */
export function tryListen(port: number): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(0));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
