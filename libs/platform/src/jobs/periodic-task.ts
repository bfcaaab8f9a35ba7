/**
 * A background job run every `intervalMs` (the next run is scheduled when the previous one
 * ends, so runs never overlap). A failure is logged and the schedule goes on. `stop()` cancels
 * the next run and waits for one in progress, so shutdown never cuts a job in half.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly run: () => Promise<unknown>,
    private readonly logger: { warn(message: string): void },
  ) {}

  start(intervalMs: number, firstDelayMs = intervalMs): void {
    this.stopped = false;
    const tick = (): void => {
      this.inFlight = this.run()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`${this.name} failed: ${String(error)}`))
        .finally(() => {
          this.inFlight = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }
}
