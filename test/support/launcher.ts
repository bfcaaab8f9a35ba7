import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root';
import { waitFor } from './wait-for';

export { REPO_ROOT } from './repo-root';

// eslint-disable-next-line no-control-regex -- the escape sequences are what it matches
const ANSI_COLOUR = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Variables of the caller that would change what a launcher does; each test sets its own. */
const CLEARED = [
  'DATABASE_URL',
  'TEST_DATABASE_URL',
  'MENTOR_API_URL',
  'DEVICES_API_URL',
  'LOG_FORMAT',
  'LOG_LEVEL',
  'FORCE_COLOR',
  'NO_COLOR',
  'NODE_ENV',
];

/**
 * A user's start command (`npm start`, `npm run start:devices`...) run in the repository in its
 * own process group, optionally in a pseudo-terminal (`script` from util-linux), with its
 * output kept for assertions.
 */
export class Launcher {
  private readonly chunks: string[] = [];
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly command: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => this.chunks.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => this.chunks.push(chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        resolve();
      }),
    );
  }

  static start(command: string, env: Record<string, string>, options: { tty?: boolean } = {}) {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const name of CLEARED) delete base[name];
    const [file, args] = options.tty
      ? ['script', ['-qfec', command, '/dev/null']]
      : ['sh', ['-c', command]];
    const child = spawn(file, args, {
      cwd: REPO_ROOT,
      env: { ...base, ...env },
      // stdin stays open: `script` ends its session when its input ends.
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    return new Launcher(command, child);
  }

  /** Everything printed so far, colours and carriage returns removed. */
  get output(): string {
    return this.chunks.join('').replace(ANSI_COLOUR, '').replace(/\r/g, '');
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Waits until `url` answers 200, failing early with the output if the launcher ends. */
  async waitReady(url: string, timeoutMs = 180_000): Promise<void> {
    await waitFor(
      async () => {
        if (!this.running) throw new Error(`${this.command} exited (${this.exitCode})`);
        return (await fetch(url)).status === 200;
      },
      {
        timeoutMs,
        intervalMs: 200,
        message: () => `${url} after ${this.command}:\n${this.output.slice(-4000)}`,
      },
    );
  }

  /** Ctrl-C typed at the pseudo-terminal (tty launchers): SIGINT to its foreground processes. */
  async interrupt(timeoutMs = 60_000): Promise<number | null | undefined> {
    this.child.stdin!.write('\x03');
    const timer = setTimeout(() => signalGroup(this.child.pid!, 'SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    return this.exitCode;
  }

  /**
   * SIGTERM to the process group, as a terminal's Ctrl-C reaches npm, the shell and the launcher
   * together; waits until every process of the group is gone (the launcher goes last, after the
   * services it started). SIGKILL to the group if that takes longer than `graceMs`.
   */
  async stop(graceMs = 45_000): Promise<void> {
    const group = this.child.pid!;
    signalGroup(group, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(group)) {
      if (Date.now() > deadline) signalGroup(group, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.exited;
  }

  /** Last resort for an `after` hook: nothing of this launcher may outlive the test. */
  kill(): void {
    signalGroup(this.child.pid!, 'SIGKILL');
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** A temporary DATA_DIR the `postgres` OS user can reach (so a root run keeps clusters in it). */
export function tempDataDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `raqeem-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The generated development credentials of a DATA_DIR. */
export function devSecrets(dataDir: string): Record<string, string> {
  return JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
}

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The embedded PostgreSQL ports named in the services' start banners. */
export function embeddedDatabasePorts(output: string): number[] {
  return [...output.matchAll(/postgres:\/\/postgres@127\.0\.0\.1:(\d+)\/raqeem_/g)].map((m) =>
    Number(m[1]),
  );
}

/** PostgreSQL processes running a cluster inside `dir` (a postmaster's working folder is its cluster). */
export function postgresProcessesIn(dir: string): number[] {
  const root = realpathSync(dir);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd === root || cwd.startsWith(`${root}/`)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}
