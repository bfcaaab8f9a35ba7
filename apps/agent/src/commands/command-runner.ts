/** Largest result reported, in bytes (the server's limit). */
export const MAX_RESULT_BYTES = 65_536;

/** Exit codes of the outcomes that are not the command's own. */
export const EXIT = { ok: 0, failed: 1, refused: 126, unavailable: 127, timedOut: 124 } as const;

export interface CommandOutcome {
  status: 'completed' | 'failed';
  result: string;
  exit_code: number;
}

/** What the commands read; each returns data, never runs anything the server sent. */
export interface CommandContext {
  info(): Record<string, unknown>;
  status(): Record<string, unknown>;
  processes(): Promise<{ pid: number; process_name: string; cpu: number; memory: number }[]>;
  logs(count: number): string[];
  /** Takes and queues a screenshot; returns a line describing it. */
  screenshot(timeoutMs: number): Promise<string>;
}

type Handler = (args: string[], timeoutMs: number) => Promise<string>;

/**
 * Runs the commands this agent can run safely, by their first word; anything else fails with
 * a clear reason. The command text is never given to a shell or a program: its words only
 * pick a handler and its arguments (a count, a sort key). Each command has a timeout.
 */
export class CommandRunner {
  private readonly handlers: Record<string, Handler>;

  constructor(
    private readonly context: CommandContext,
    private readonly timeoutMs: number,
  ) {
    this.handlers = {
      get_info: async () => json(this.context.info()),
      status: async () => json(this.context.status()),
      get_processes: async (args) => this.processes(args),
      get_logs: async (args) => this.context.logs(count(args[0], 200, 1000)).join('\n'),
      screenshot: async (_args, timeout) => this.context.screenshot(timeout),
    };
  }

  /** The verbs this agent runs. */
  get verbs(): string[] {
    return Object.keys(this.handlers);
  }

  async run(commandText: string): Promise<CommandOutcome> {
    const [verb = '', ...args] = commandText.trim().split(/\s+/);
    const handler = Object.hasOwn(this.handlers, verb) ? this.handlers[verb] : undefined;
    if (!handler) {
      return {
        status: 'failed',
        result: `refused: "${verb.slice(0, 64)}" is not a command this agent runs (it runs: ${this.verbs.join(', ')})`,
        exit_code: EXIT.refused,
      };
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOutError = new Error(`timed out after ${this.timeoutMs} ms`);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timedOutError), this.timeoutMs);
    });
    try {
      const output = await Promise.race([handler(args, this.timeoutMs), timeout]);
      return { status: 'completed', result: cap(output), exit_code: EXIT.ok };
    } catch (error) {
      // The timeout's own error, told apart from a handler's by identity.
      const timedOut = error === timedOutError;
      return {
        status: 'failed',
        result: cap(`${verb}: ${(error as Error).message}`),
        exit_code: timedOut ? EXIT.timedOut : EXIT.failed,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private async processes(args: string[]): Promise<string> {
    const sort = args.find((a) => a === 'cpu' || a === 'memory') ?? 'cpu';
    const limit = count(
      args.find((a) => /^\d+$/.test(a)),
      50,
      5000,
    );
    const list = [...(await this.context.processes())].sort((a, b) =>
      sort === 'memory' ? b.memory - a.memory : b.cpu - a.cpu,
    );
    return json(list.slice(0, limit));
  }
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function count(text: string | undefined, fallback: number, max: number): number {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? Math.min(value, max) : fallback;
}

/** At most 64 KiB of UTF-8, cut on a character boundary, with a note when cut. */
export function cap(text: string): string {
  if (Buffer.byteLength(text) <= MAX_RESULT_BYTES) return text;
  const note = '\n[output truncated at 64 KiB]';
  const budget = MAX_RESULT_BYTES - Buffer.byteLength(note);
  let cut = Buffer.from(text).subarray(0, budget).toString('utf8');
  // A multi-byte character cut in half decodes as U+FFFD: drop it.
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  while (Buffer.byteLength(cut) > budget) cut = cut.slice(0, -1);
  return cut + note;
}
