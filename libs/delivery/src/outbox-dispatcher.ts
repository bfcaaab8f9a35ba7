import { retryDelayMs } from './backoff';
import type { DeliveryMonitor } from './delivery-monitor';
import type { ChannelHooks, ClaimedMessage, RelayLogger, SendOutcome } from './delivery.types';
import type { ClaimedRow, OutboxStore } from './outbox-store';
import type { ResolvedChannelOptions } from './relay-options';

/** One request to the transport: rows of one topic, `records` in all. */
interface Request {
  topic: string;
  rows: ClaimedRow[];
  records: number;
}

/** What happened to the records of one round (a bundle counts as many as it holds). */
export interface DispatchSummary {
  delivered: number;
  failed: number;
  deadLettered: number;
}

/**
 * Sends claimed rows and records each request's outcome. Rows are grouped by topic so a batch
 * travels as one request; rows marked solo travel alone, which is how a refused batch is
 * narrowed down to the one bad record without holding back the others.
 */
export class OutboxDispatcher {
  constructor(
    private readonly store: OutboxStore,
    private readonly options: ResolvedChannelOptions,
    private readonly logger: RelayLogger,
    private readonly monitor: DeliveryMonitor,
  ) {}

  async dispatch(rows: ClaimedRow[]): Promise<DispatchSummary> {
    const summary: DispatchSummary = { delivered: 0, failed: 0, deadLettered: 0 };
    const requests = groupIntoRequests(rows, this.options.batchSize);
    await forEachLimited(requests, this.options.requestConcurrency, (request) =>
      this.sendAndRecord(request, summary),
    );
    return summary;
  }

  private async sendAndRecord(request: Request, summary: DispatchSummary): Promise<void> {
    const { topic } = request;
    let { rows, records } = request;
    const outcome = await this.send(topic, rows);
    if (outcome.kind === 'transient' && outcome.delivered && outcome.delivered.length > 0) {
      // Part of the request got through: those rows are done, the rest is retried below.
      const through = new Set(outcome.delivered);
      const done = rows.filter((r) => through.has(r.id));
      rows = rows.filter((r) => !through.has(r.id));
      records -= recordCount(done);
      if (!(await this.recordDelivered(topic, done, summary)) || rows.length === 0) return;
    }
    const bundled = rows.some((r) => r.bundleSize !== null);
    const ids = rows.map((r) => r.id);
    if (outcome.kind === 'delivered') this.monitor.delivered();
    else if (outcome.kind === 'transient') this.monitor.receiverFailed(outcome.reason);
    try {
      if (outcome.kind === 'delivered') {
        await this.store.markDelivered(ids);
        summary.delivered += records;
        this.callHook('onDelivered', (h) => h.onDelivered?.(topic, records));
      } else if (outcome.kind === 'transient') {
        const dead = await this.store.reschedule(
          rows.map((r) => ({
            id: r.id,
            delayMs: retryDelayMs(r.attempts, this.options, outcome.retryAfterMs),
          })),
          outcome.reason,
          this.options.deadLetterAfterMs,
          this.expiredReason(outcome.reason),
        );
        summary.failed += records - dead;
        summary.deadLettered += dead;
        this.callHook('onFailed', (h) => h.onFailed?.(topic, records, outcome));
        if (dead > 0) {
          // Dead letters are listed and replayed per record, so a dead bundle is split.
          if (bundled) await this.store.splitDeadBundles(ids);
          const reason = this.expiredReason(outcome.reason);
          this.callHook('onDeadLettered', (h) => h.onDeadLettered?.(topic, dead, reason));
          this.monitor.expired(dead, reason);
        }
      } else if (rows.length > 1 || bundled) {
        // Nobody knows which record was refused: retry each alone at once, so only it dies.
        await this.store.splitIntoSolo(ids, outcome.reason);
        this.monitor.refused(outcome, 0);
        summary.failed += records;
        this.callHook('onFailed', (h) => h.onFailed?.(topic, records, outcome));
      } else {
        await this.store.deadLetter(ids, outcome.reason);
        this.monitor.refused(outcome, 1);
        summary.deadLettered += 1;
        this.callHook('onDeadLettered', (h) => h.onDeadLettered?.(topic, 1, outcome.reason));
      }
      this.monitor.databaseWorked();
    } catch (err) {
      // The rows stay claimed until their lease expires (or stop() releases them) and are then
      // sent again; receivers store by record id, so a repeat changes nothing.
      this.monitor.databaseFailed(
        err,
        `recording the ${outcome.kind} outcome of ${rows.length} ${topic} row(s)`,
      );
    }
  }

  /** Deletes rows delivered within a partly failed request; false if that failed. */
  private async recordDelivered(
    topic: string,
    rows: ClaimedRow[],
    summary: DispatchSummary,
  ): Promise<boolean> {
    try {
      await this.store.markDelivered(rows.map((r) => r.id));
    } catch (err) {
      this.monitor.databaseFailed(err, `recording ${rows.length} delivered ${topic} row(s)`);
      return false;
    }
    const records = recordCount(rows);
    summary.delivered += records;
    this.callHook('onDelivered', (h) => h.onDelivered?.(topic, records));
    return true;
  }

  /** The transport promises not to throw; if it does anyway, that is a transient failure. */
  private async send(topic: string, rows: ClaimedRow[]): Promise<SendOutcome> {
    try {
      return await this.options.transport.send(topic, rows.map(toMessage));
    } catch (err) {
      return { kind: 'transient', reason: `transport threw: ${errorMessage(err)}` };
    }
  }

  private expiredReason(lastError: string): string {
    const hours = Math.round((this.options.deadLetterAfterMs / 3_600_000) * 100) / 100;
    return `gave up after ${hours} h of failed attempts; last error: ${lastError}`;
  }

  /** A throwing metrics hook must not turn a recorded outcome into a relay error. */
  private callHook(name: string, call: (hooks: ChannelHooks) => void): void {
    if (!this.options.hooks) return;
    try {
      call(this.options.hooks);
    } catch (err) {
      this.logger.warn(`${this.options.channel}: hook ${name} threw: ${errorMessage(err)}`);
    }
  }
}

/**
 * Rows of a topic travel together, up to `maxRecords` records per request (a larger bundle
 * alone); solo rows each in a request of their own, after the batches.
 */
function groupIntoRequests(rows: ClaimedRow[], maxRecords: number): Request[] {
  const open = new Map<string, Request>();
  const batches: Request[] = [];
  const solos: Request[] = [];
  for (const row of rows) {
    const records = row.bundleSize ?? 1;
    if (row.solo) {
      solos.push({ topic: row.topic, rows: [row], records });
      continue;
    }
    const batch = open.get(row.topic);
    if (batch && batch.records + records <= maxRecords) {
      batch.rows.push(row);
      batch.records += records;
      continue;
    }
    const next = { topic: row.topic, rows: [row], records };
    open.set(row.topic, next);
    batches.push(next);
  }
  return [...batches, ...solos];
}

function recordCount(rows: ClaimedRow[]): number {
  return rows.reduce((sum, row) => sum + (row.bundleSize ?? 1), 0);
}

/** The transport sees the contract's shape, not the relay's bookkeeping. */
function toMessage(row: ClaimedRow): ClaimedMessage {
  const { solo: _solo, ...message } = row;
  return message;
}

async function forEachLimited<T>(
  items: T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
