export interface ProgressFigures {
  devices: number;
  enrolled: number;
  sent: number;
  queued: number;
  errors: number;
  dropped: number;
}

/**
 * The simulator's progress: one line rewritten in place on a terminal (every second), plain
 * log lines elsewhere (every `logEveryMs`), and a summary at the end.
 */
export class ProgressDisplay {
  private timer?: NodeJS.Timeout;
  private lastSent = 0;
  private lastAt = Date.now();
  private readonly startedAt = Date.now();
  private lastLogAt = 0;

  constructor(
    private readonly figures: () => ProgressFigures,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly logEveryMs = 10_000,
  ) {}

  get tty(): boolean {
    return this.out.isTTY === true;
  }

  start(): void {
    this.timer = setInterval(() => this.show(), 1000);
  }

  /** Stops and writes the summary line; returns the figures it showed. */
  stop(): ProgressFigures & { seconds: number; rate: number } {
    clearInterval(this.timer);
    const figures = this.figures();
    const seconds = (Date.now() - this.startedAt) / 1000;
    const summary = {
      ...figures,
      seconds: Math.round(seconds),
      rate: Math.round(figures.sent / Math.max(seconds, 1)),
    };
    if (this.tty) this.out.write('\n');
    this.out.write(`simulate: summary ${JSON.stringify(summary)}\n`);
    return summary;
  }

  private show(): void {
    const now = Date.now();
    const f = this.figures();
    const rate = Math.round(((f.sent - this.lastSent) * 1000) / Math.max(now - this.lastAt, 1));
    this.lastSent = f.sent;
    this.lastAt = now;
    const line =
      `devices ${f.enrolled}/${f.devices}  sent ${f.sent.toLocaleString('en')}  ` +
      `queued ${f.queued.toLocaleString('en')}  errors ${f.errors}  ${rate.toLocaleString('en')} records/s`;
    if (this.tty) {
      this.out.write(`\r\x1b[2K${line}`);
    } else if (now - this.lastLogAt >= this.logEveryMs) {
      this.lastLogAt = now;
      this.out.write(`${new Date().toISOString()} simulate: ${line}\n`);
    }
  }
}
