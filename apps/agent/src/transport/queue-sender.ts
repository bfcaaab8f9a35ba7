import type { DeviceSession } from '../identity/device-session';
import type { AgentLogger } from '../log/agent-logger';
import type { DiskQueue } from '../queue/disk-queue';
import type { QueueItem, QueueLane } from '../queue/queue-item';
import { Backoff } from './backoff';
import type { DevicesClient } from './devices-client';
import { SendError } from './send-error';

export interface SenderOptions {
  batchSize: number;
  concurrency: number;
  maxBackoffMs: number;
  random?: () => number;
}

export interface SenderStats {
  /** Records the server acknowledged. */
  sent: number;
  requests: number;
  /** Requests that failed (network, refused, server errors). */
  errors: number;
  /** Records the server refused as invalid, dropped. */
  rejected: number;
  lastSuccessAt?: string;
  lastError?: string;
}

/** Kinds sent one queue item per request (a snapshot, an image, one command's state). */
const SINGLE = new Set(['processes', 'screenshots', 'results']);

/**
 * Drains the disk queue: the oldest waiting lane (device and kind) first, up to `concurrency`
 * requests at a time, never two for the same lane. Items leave the queue only after a 2xx;
 * as they keep their ids, a retry after a crash or a lost answer is stored once. Each device
 * backs off on its own.
 */
export class QueueSender {
  readonly stats: SenderStats = { sent: 0, requests: 0, errors: 0, rejected: 0 };
  private readonly backoffs = new Map<string, { backoff: Backoff; until: number }>();
  private readonly busy = new Set<string>();
  private readonly limits = new Map<string, number>();
  /** Consecutive refused tokens per device: a server that refuses every new token is waited out. */
  private readonly refusals = new Map<string, number>();
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly queue: DiskQueue,
    private readonly client: DevicesClient,
    private readonly sessions: (deviceid: string) => DeviceSession | undefined,
    private readonly options: SenderOptions,
    private readonly logger: AgentLogger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was queued: look now rather than at the next timer. */
  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
  }

  /**
   * Waits until the queue is empty, a send fails or every queued device is waiting out a
   * backoff (what is left stays queued on disk for the next start), or `capMs` passes; true
   * when empty. A slow server is waited for, a failing one is not.
   */
  async drained(capMs: number): Promise<boolean> {
    const deadline = Date.now() + capMs;
    const errorsBefore = this.stats.errors;
    while (this.queue.size > 0 && Date.now() < deadline && this.stats.errors === errorsBefore) {
      const now = Date.now();
      if (this.queue.lanes().every((lane) => this.retryAt(lane.deviceid) > now)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.queue.size === 0;
  }

  /** When the device may next send (0: now). */
  retryAt(deviceid: string): number {
    return this.backoffs.get(deviceid)?.until ?? 0;
  }

  private async run(): Promise<void> {
    const inflight = new Set<Promise<void>>();
    while (this.running) {
      const now = Date.now();
      const ready = this.queue
        .lanes()
        .filter((lane) => !this.busy.has(laneKey(lane)) && this.retryAt(lane.deviceid) <= now);
      while (ready.length > 0 && inflight.size < this.options.concurrency) {
        const lane = ready.shift()!;
        this.busy.add(laneKey(lane));
        const work: Promise<void> = this.sendLane(lane).finally(() => {
          this.busy.delete(laneKey(lane));
          inflight.delete(work);
          this.kick();
        });
        inflight.add(work);
      }
      await this.sleep(this.nextWakeMs(now));
    }
    await Promise.all(inflight);
  }

  private nextWakeMs(now: number): number {
    let wait = 1000;
    for (const { until } of this.backoffs.values()) {
      if (until > now) wait = Math.min(wait, until - now);
    }
    return wait;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async sendLane(lane: QueueLane): Promise<void> {
    const session = this.sessions(lane.deviceid);
    const key = laneKey(lane);
    const limit = this.limits.get(key) ?? (SINGLE.has(lane.kind) ? 1 : this.options.batchSize);
    const items = this.queue.peek(lane.deviceid, lane.kind, limit);
    if (items.length === 0) return;
    if (!session) {
      this.logger.warn('dropping items queued for a device this agent no longer runs', {
        deviceid: lane.deviceid,
        count: items.length,
      });
      this.queue.ack(items.map((item) => item.seq));
      return;
    }
    let token: string | undefined;
    try {
      token = await session.token();
      await this.deliver(session.deviceid, token, items);
      this.queue.ack(items.map((item) => item.seq));
      this.stats.sent += items.length;
      this.stats.requests += 1;
      this.stats.lastSuccessAt = new Date().toISOString();
      this.backoffs.get(lane.deviceid)?.backoff.reset();
      this.backoffs.delete(lane.deviceid);
      this.refusals.delete(lane.deviceid);
    } catch (error) {
      await this.failed(error, lane, session, token, items);
    }
  }

  private async deliver(deviceid: string, token: string, items: QueueItem[]): Promise<void> {
    const first = items[0];
    switch (first.kind) {
      case 'screenshots':
        return this.client.uploadScreenshot(
          deviceid,
          token,
          first.body as { id: string; timestamp: string },
          first.blob ?? Buffer.alloc(0),
        );
      case 'results':
        return this.client.reportResult(
          deviceid,
          token,
          first.recordId,
          first.body as { status: string },
        );
      case 'processes':
        return this.client.postTelemetry(deviceid, token, 'processes', first.body as unknown[]);
      default:
        return this.client.postTelemetry(
          deviceid,
          token,
          first.kind,
          items.map((item) => item.body),
        );
    }
  }

  private async failed(
    error: unknown,
    lane: QueueLane,
    session: DeviceSession,
    token: string | undefined,
    items: QueueItem[],
  ): Promise<void> {
    const send =
      error instanceof SendError ? error : new SendError('retry', (error as Error).message);
    this.stats.errors += 1;
    this.stats.lastError = `${new Date().toISOString()} ${lane.kind}: ${send.message}`;
    const seqs = items.map((item) => item.seq);
    const unknownCommand = lane.kind === 'results' && send.failure === 'unknown-device';
    if (send.failure === 'conflict' || unknownCommand) {
      // The command is already past this state, or gone: nothing left to report.
      this.logger.warn('command result not needed', {
        commandid: items[0].recordId,
        why: send.message,
      });
      this.queue.ack(seqs);
    } else if (send.failure === 'auth' || send.failure === 'unknown-device') {
      this.logger.warn('device token refused, enrolling again', {
        deviceid: lane.deviceid,
        why: send.message,
      });
      const refusals = (this.refusals.get(lane.deviceid) ?? 0) + 1;
      this.refusals.set(lane.deviceid, refusals);
      try {
        await session.replace(token, send.message);
        if (refusals > 1) this.backOff(lane.deviceid, send);
      } catch (enrolError) {
        this.backOff(lane.deviceid, enrolError as SendError);
      }
    } else if (send.failure === 'too-large' && items.length > 1) {
      this.limits.set(laneKey(lane), Math.ceil(items.length / 2));
    } else if (send.failure === 'rejected' || send.failure === 'too-large') {
      const bad =
        send.badIndexes.length > 0 && items.length > 1
          ? send.badIndexes.filter((i) => i < items.length).map((i) => seqs[i])
          : seqs;
      this.stats.rejected += bad.length;
      this.logger.error('server refused records, dropped', {
        kind: lane.kind,
        count: bad.length,
        why: send.message,
      });
      this.queue.ack(bad);
    } else {
      this.backOff(lane.deviceid, send);
    }
  }

  private backOff(deviceid: string, error: SendError): void {
    const entry = this.backoffs.get(deviceid) ?? {
      backoff: new Backoff(this.options.maxBackoffMs, this.options.random),
      until: 0,
    };
    const wait = entry.backoff.fail(error.retryAfterMs ?? 0);
    entry.until = Date.now() + wait;
    this.backoffs.set(deviceid, entry);
    this.logger.warn('send failed, retrying later', {
      deviceid,
      attempt: entry.backoff.attempts,
      retryInMs: wait,
      why: error.message,
    });
  }
}

function laneKey(lane: { deviceid: string; kind: string }): string {
  return `${lane.deviceid}\0${lane.kind}`;
}
