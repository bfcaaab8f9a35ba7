import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** Event-loop utilization from which the process counts as busy. */
const BUSY_UTILIZATION = 0.6;
const SAMPLE_MS = 250;
/** How long ingest counts as saturated after a write found requests queued behind it. */
const BACKLOG_HOLD_MS = 500;
/** While busy: one event at a time per endpoint, and this pause after each. */
const BUSY_PAUSE_MS = 250;
const IDLE_LANES = 8;

/**
 * Webhook delivery yields to ingest: while the process is busy, each endpoint gets one delivery
 * at a time, paced; as soon as the load drops the backlog goes out at full speed. Delivery then
 * lags behind a saturating ingest instead of taking its CPU and its database connections.
 *
 * Busy is either signal: the event loop was active for BUSY_UTILIZATION of the last sample, or
 * an ingest write recently found requests queued behind it (ingest waits on PostgreSQL, so a
 * saturated ingest can leave the event loop idle while the machine is not).
 */
@Injectable()
export class WebhookPacer implements OnModuleDestroy {
  private last = performance.eventLoopUtilization();
  private loopBusy = false;
  private backlogAt = Number.NEGATIVE_INFINITY;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.eventLoopUtilization();
      this.loopBusy =
        performance.eventLoopUtilization(now, this.last).utilization >= BUSY_UTILIZATION;
      this.last = now;
    }, SAMPLE_MS);
    this.timer.unref();
  }

  /** Ingest started a write with other requests waiting for it (grouped or queued). */
  ingestBacklogged(): void {
    this.backlogAt = performance.now();
  }

  get busy(): boolean {
    return this.loopBusy || performance.now() - this.backlogAt < BACKLOG_HOLD_MS;
  }

  /** Events of one endpoint to send at once now. */
  lanes(): number {
    return this.busy ? 1 : IDLE_LANES;
  }

  /** After each delivery: a pause while the process is busy. */
  async yield(): Promise<void> {
    if (this.busy) await delay(BUSY_PAUSE_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
