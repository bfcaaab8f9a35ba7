export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * One line per event on stderr (`time level message key=value ...`), and the latest lines kept
 * in memory so the `get_logs` command can return them. Secrets are never passed in.
 */
export class AgentLogger {
  private readonly recent: string[] = [];

  constructor(
    private readonly sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    private readonly keep = 1000,
    /** Lines below this level are kept for get_logs but not written out. */
    private readonly printFrom: LogLevel = 'info',
  ) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  /** The last `count` lines, oldest first. */
  tail(count: number): string[] {
    return this.recent.slice(-count);
  }

  private write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    const extra = fields
      ? Object.entries(fields)
          .filter(([, value]) => value !== undefined)
          .map(
            ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
          )
          .join(' ')
      : '';
    const line = `${new Date().toISOString()} ${level} ${message}${extra ? ` ${extra}` : ''}`;
    this.recent.push(line);
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    if (RANK[level] >= RANK[this.printFrom]) this.sink(line);
  }
}
