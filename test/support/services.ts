import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NODE_ARGS } from '@app/platform/runtime/service-node-args';
import { freePort } from './free-port';
import { listensOn } from './listening-process';
import { compiledFile } from './repo-root';
import { waitFor } from './wait-for';

export type ServiceName = 'devices' | 'mentor';

/** How long a service may take to answer /health/ready before its start counts as failed. */
export const START_TIMEOUT_MS = 90_000;

/** Compiled entry points: the services run as they are deployed, from the build. */
const ENTRY: Record<ServiceName, string> = {
  devices: compiledFile('apps/devices/src/main.ts'),
  mentor: compiledFile('apps/mentor/src/main.ts'),
};

/**
 * A real service in its own process (so a test can SIGKILL it), on a free port, with its
 * output kept for assertions and for the failure message when it does not come up.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private output: string[] = [];
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;

  private constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly nodeArgs: string[] = [],
  ) {}

  /** Starts the service and waits until /health/ready answers 200. */
  static async start(
    name: ServiceName,
    env: Record<string, string>,
    port?: number,
    /** Extra node flags, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
    nodeArgs: string[] = [],
  ): Promise<ServiceProcess> {
    const service = new ServiceProcess(name, port ?? (await freePort()), env, nodeArgs);
    await service.launch();
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.output.join('');
  }

  /** Process id of the running service (for CPU and memory readings from /proc). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === null && this.exitSignal === null;
  }

  /** Starts the same service again (same port, same settings), e.g. after a kill. */
  async restart(extraEnv: Record<string, string> = {}): Promise<void> {
    if (this.running) await this.stop();
    Object.assign(this.env, extraEnv);
    await this.launch();
  }

  /** SIGTERM and wait for the exit; returns the exit code. */
  async stop(timeoutMs = 20_000): Promise<number | null> {
    if (!this.running) return this.exitCode;
    const exited = this.exited();
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    return this.exitCode;
  }

  /** SIGKILL: no shutdown hooks, claims and in-flight work abandoned, as in a crash. */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = this.exited();
    this.child!.kill('SIGKILL');
    await exited;
  }

  private exited(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running) return resolve();
      this.child!.once('exit', () => resolve());
    });
  }

  private async launch(): Promise<void> {
    this.exitCode = null;
    this.exitSignal = null;
    const portVariable = this.name === 'devices' ? 'DEVICES_PORT' : 'MENTOR_PORT';
    const args = [...SERVICE_NODE_ARGS[this.name], ...this.nodeArgs, ENTRY[this.name]];
    const child = spawn(process.execPath, args, {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        DATA_DIR: mkdtempSync(join(tmpdir(), `raqeem-${this.name}-`)),
        ...this.env,
        [portVariable]: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.on('exit', (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
    });
    await waitFor(
      async () => {
        if (!this.running) throw new Error(`${this.name} exited early:\n${this.logs.slice(-3000)}`);
        // Another process on the port would answer the probe too: the socket must be ours.
        if (listensOn(child.pid!, this.port) === false) return false;
        const response = await fetch(`${this.url}/health/ready`, {
          signal: AbortSignal.timeout(5_000),
        });
        return response.status === 200;
      },
      // A start takes about 2 s on a quiet machine. On a busy one (parallel test files,
      // PostgreSQL flushing a checkpoint) it has taken over 30 s; a service that is truly stuck
      // still fails here, with its output, before the hook's own timeout (jest.config.mjs).
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, message: `${this.name} to become ready` },
    ).catch((error: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${error.message}\n--- ${this.name} output ---\n${this.logs.slice(-3000)}`);
    });
  }
}

/**
 * Runs a service that is expected to refuse to start (bad configuration) and returns its exit
 * code and output; kills it if it is still running after `timeoutMs`.
 */
export function runUntilExit(
  name: ServiceName,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS[name], ENTRY[name]], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        LOG_FORMAT: 'json',
        HOST: '127.0.0.1',
        DATA_DIR: mkdtempSync(join(tmpdir(), `raqeem-${name}-`)),
        [name === 'devices' ? 'DEVICES_PORT' : 'MENTOR_PORT']: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.join('') });
    });
  });
}

/** A test token long enough for the config's minimum. */
export const TEST_SERVICE_TOKEN = 'test-service-token-0123456789abcdef';
export const TEST_OPERATOR_KEY = 'test-operator-key-0123456789abcdef';
export const TEST_ENROLLMENT_SECRET = 'test-enrollment-secret-0123456789';
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_ADMIN_PASSWORD = 'test-admin-password-0123';
