import { destination } from 'pino';

/** Longest a log line waits before it is written. */
const FLUSH_INTERVAL_MS = 10;
/** Buffered bytes that are written at once rather than at the next tick. */
const MAX_BUFFERED = 64 * 1024;

/**
 * Where JSON log lines go: stdout, with the lines of up to 10 ms gathered into one write. One
 * write per request line, even an asynchronous one (a filesystem request through libuv's
 * thread pool per line), made `LOG_LEVEL=info` cost the Devices service a large share of its
 * CPU per request against `warn`; gathered, the request line costs little (bench/README.md).
 * Writes are synchronous, so whatever is buffered is written on exit (including
 * process.exit in the shutdown path) and `flush()` is immediate; warnings and errors flush at
 * once (see loggerParams), so only `info` lines of the last 10 ms can be lost in a crash.
 */
export class StdoutDestination {
  private static shared?: StdoutDestination;
  private readonly stdout = destination({ dest: 1, sync: true });
  private buffered = '';

  private constructor() {
    setInterval(() => this.flush(), FLUSH_INTERVAL_MS).unref();
    process.on('exit', () => this.flush());
  }

  /** One per process, shared by every logger, so lines never interleave mid-line. */
  static get(): StdoutDestination {
    StdoutDestination.shared ??= new StdoutDestination();
    return StdoutDestination.shared;
  }

  /** Writes what any logger buffered, if one logs through it (the end of start-up, say). */
  static flushIfUsed(): void {
    StdoutDestination.shared?.flush();
  }

  write(line: string): boolean {
    this.buffered += line;
    if (this.buffered.length >= MAX_BUFFERED) this.flush();
    return true;
  }

  /** Writes what is buffered now. */
  flush(): void {
    if (this.buffered.length === 0) return;
    const lines = this.buffered;
    this.buffered = '';
    this.stdout.write(lines);
  }
}
