import { spawn, type ChildProcess } from 'node:child_process';
import { compiledFile } from '@app/testing/repo-root';
import { waitFor } from '@app/testing/wait-for';

const ENTRY = compiledFile('apps/agent/src/main.ts');

/** The compiled agent in its own process, as a user runs it, with its output kept. */
export class AgentProcess {
  private child?: ChildProcess;
  private output: string[] = [];
  private exit?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    private readonly args: string[],
    private readonly env: Record<string, string> = {},
  ) {}

  get logs(): string {
    return this.output.join('');
  }

  /** Process id while it runs (for readings from /proc). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  start(): this {
    this.output = [];
    const child = spawn(process.execPath, [ENTRY, ...this.args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exit = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return this;
  }

  /** Waits for a line of output matching `pattern`; returns the match. */
  async line(pattern: RegExp, timeoutMs = 30_000, from = 0): Promise<RegExpMatchArray> {
    return waitFor(
      () => {
        if (!this.running && !pattern.test(this.logs.slice(from))) {
          throw new Error(`the agent exited:\n${this.logs.slice(-3000)}`);
        }
        return this.logs.slice(from).match(pattern) ?? undefined;
      },
      {
        timeoutMs,
        intervalMs: 50,
        message: () => `agent output ${pattern}:\n${this.logs.slice(-3000)}`,
      },
    );
  }

  /** SIGTERM and the exit code. */
  async stop(timeoutMs = 20_000): Promise<number | null> {
    if (!this.child || !this.exit) return null;
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const { code } = await this.exit;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL: no shutdown, as in a crash or a power cut of the process. */
  async kill(): Promise<void> {
    if (!this.child || !this.exit) return;
    if (this.running) this.child.kill('SIGKILL');
    await this.exit;
  }

  /** Waits for the process to end by itself; its exit code. */
  async exited(timeoutMs: number): Promise<number | null> {
    if (!this.exit) return null;
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const { code } = await this.exit;
    clearTimeout(timer);
    return code;
  }
}
