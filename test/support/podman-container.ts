import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root';
import { waitFor } from './wait-for';

/** The image under test (scripts/image/image-check.sh builds it). */
export const IMAGE = process.env.RAQEEM_IMAGE ?? 'localhost/raqeem:check';

const PODMAN_ENV = {
  ...process.env,
  CONTAINERS_CONF:
    process.env.CONTAINERS_CONF ?? join(REPO_ROOT, 'scripts', 'image', 'containers.conf'),
};

/**
 * The flags every run uses: runc with the host's ulimits (what works on machines without
 * systemd), the host network (so the machine's PostgreSQL is 127.0.0.1), and the production
 * constraints: read-only root filesystem, uid 1000, writable /tmp and DATA_DIR only.
 */
const RUN_FLAGS = [
  '--ulimit',
  'host',
  '--network',
  'host',
  '--read-only',
  '--user',
  '1000:1000',
  '--tmpfs',
  '/tmp:rw,mode=1777',
  '--tmpfs',
  '/var/lib/raqeem:rw,mode=1777',
];

export function podman(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('podman', ['--runtime', 'runc', ...args], {
    encoding: 'utf8',
    env: PODMAN_ENV,
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Runs the image's command to completion (e.g. `migrate`). */
export function runOnce(command: string[], env: Record<string, string>) {
  return podman(['run', '--rm', ...RUN_FLAGS, ...envFlags(env), IMAGE, ...command]);
}

function envFlags(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
}

/** A service container in the foreground of a `podman run`, whose exit code is the service's. */
export class ServiceContainer {
  readonly name = `raqeem-check-${randomBytes(4).toString('hex')}`;
  exitCode: number | null = null;
  private child?: ChildProcess;
  private output: string[] = [];

  constructor(
    private readonly command: string,
    private readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.output.join('');
  }

  async start(): Promise<void> {
    const child = spawn(
      'podman',
      [
        '--runtime',
        'runc',
        'run',
        '--rm',
        '--name',
        this.name,
        ...RUN_FLAGS,
        ...envFlags(this.env),
        IMAGE,
        this.command,
      ],
      { env: PODMAN_ENV, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.on('exit', (code) => (this.exitCode = code ?? -1));
    await waitFor(
      async () => {
        if (this.exitCode !== null) throw new Error(`exited ${this.exitCode}`);
        return (await fetch(`${this.url}/health/ready`)).status === 200;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        message: () => `${this.command} ready:\n${this.logs.slice(-3000)}`,
      },
    );
  }

  exec(args: string[]): { status: number | null; output: string } {
    return podman(['exec', this.name, ...args]);
  }

  /** Sends SIGTERM to the container's PID 1 and resolves with the exit code and the time taken. */
  async terminate(timeoutMs: number): Promise<{ code: number | null; ms: number }> {
    const started = Date.now();
    if (this.exitCode !== null) return { code: this.exitCode, ms: 0 };
    const exited = new Promise<void>((resolve) => this.child!.once('exit', () => resolve()));
    podman(['kill', '--signal', 'TERM', this.name]);
    const timer = setTimeout(() => podman(['kill', '--signal', 'KILL', this.name]), timeoutMs);
    await exited;
    clearTimeout(timer);
    return { code: this.exitCode, ms: Date.now() - started };
  }
}
