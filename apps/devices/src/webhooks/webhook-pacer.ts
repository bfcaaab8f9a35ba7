import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** Event-loop utilization from which the process counts as busy. */
const BUSY_UTILIZATION = 0.6;
const SAMPLE_MS = 250;
/** While busy: one event at a time per endpoint, and this pause after each. */
const BUSY_PAUSE_MS = 50;
const IDLE_LANES = 8;

/**
 * Webhook delivery yields to ingest: while the process is busy (its event loop was active for
 * BUSY_UTILIZATION of the last sample), each endpoint gets one delivery at a time, paced; as
 * soon as the load drops the backlog goes out at full speed. Delivery then lags behind a
 * saturating ingest instead of taking its CPU.
 */
export class WebhookPacer {
  private last = performance.eventLoopUtilization();
  private busy = false;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.eventLoopUtilization();
      this.busy = performance.eventLoopUtilization(now, this.last).utilization >= BUSY_UTILIZATION;
      this.last = now;
    }, SAMPLE_MS);
    this.timer.unref();
  }

  /** Events of one endpoint to send at once now. */
  lanes(): number {
    return this.busy ? 1 : IDLE_LANES;
  }

  /** After each delivery: a pause while the process is busy. */
  async yield(): Promise<void> {
    if (this.busy) await delay(BUSY_PAUSE_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
