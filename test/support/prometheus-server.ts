import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

export interface QueryResult {
  status: 'success' | 'error';
  error?: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value: [number, string] }[];
  };
}

/** Debian's real `prometheus` server, on a free port with a scratch TSDB. */
export class PrometheusServer {
  private child?: ChildProcess;
  private output: string[] = [];
  private exited = false;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  /**
   * Starts it with `config` (a prometheus.yml as an object). The port is picked free just before;
   * if another process took it meanwhile, Prometheus exits on the bind and a new port is tried.
   */
  static async start(config: object): Promise<PrometheusServer> {
    const dir = mkdtempSync(join(tmpdir(), 'raqeem-prometheus-'));
    writeFileSync(join(dir, 'prometheus.yml'), dump(config));
    let lastOutput = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = new PrometheusServer(dir, await freePort());
      if (await server.launch()) return server;
      lastOutput = server.logs;
      if (!/address already in use/.test(lastOutput)) break;
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`prometheus did not start:\n${lastOutput.slice(-3000)}`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.output.join('');
  }

  async query(expr: string): Promise<QueryResult> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    // Parsed here rather than by fetch's json(), whose objects come from outside Jest's sandbox
    // and fail a strict deep equality's prototype check.
    return JSON.parse(await response.text()) as QueryResult;
  }

  /** The value of a query returning one series, or undefined when it returns none. */
  async scalar(expr: string): Promise<number | undefined> {
    const result = await this.query(expr);
    if (result.status !== 'success') throw new Error(`${expr}: ${result.error}`);
    const series = result.data!.result;
    return series.length === 0 ? undefined : Number(series[0].value[1]);
  }

  async stop(): Promise<void> {
    if (this.child && !this.exited) {
      const done = new Promise((resolve) => this.child!.once('exit', resolve));
      this.child.kill('SIGTERM');
      await done;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** True once ready; false if it exited (e.g. the port was taken). */
  private async launch(): Promise<boolean> {
    const child = spawn(
      'prometheus',
      [
        `--config.file=${join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(this.dir, `data-${this.port}`)}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--web.enable-lifecycle',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.once('exit', () => (this.exited = true));
    await waitFor(
      async () => {
        if (this.exited) return 'exited';
        const response = await fetch(`${this.url}/-/ready`);
        return response.status === 200 && 'ready';
      },
      { timeoutMs: 30_000, intervalMs: 100, message: () => `prometheus ready:\n${this.logs}` },
    );
    return !this.exited;
  }
}
