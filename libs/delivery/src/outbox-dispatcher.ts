import { retryDelayMs } from './backoff';
import type { ChannelHooks, ClaimedMessage, RelayLogger, SendOutcome } from './delivery.types';
import type { ClaimedRow, OutboxStore } from './outbox-store';
import type { ResolvedChannelOptions } from './relay-options';

/** One request to the transport: rows of one topic. */
interface Request {
  topic: string;
  rows: ClaimedRow[];
}

/** What happened to the rows of one round. */
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
  ) {}

  async dispatch(rows: ClaimedRow[]): Promise<DispatchSummary> {
    const summary: DispatchSummary = { delivered: 0, failed: 0, deadLettered: 0 };
    await forEachLimited(groupIntoRequests(rows), this.options.requestConcurrency, (request) =>
      this.sendAndRecord(request, summary),
    );
    return summary;
  }

  private async sendAndRecord(request: Request, summary: DispatchSummary): Promise<void> {
    const { topic, rows } = request;
    const outcome = await this.send(topic, rows);
    const ids = rows.map((r) => r.id);
    try {
      if (outcome.kind === 'delivered') {
        await this.store.markDelivered(ids);
        summary.delivered += rows.length;
        this.callHook('onDelivered', (h) => h.onDelivered?.(topic, rows.length));
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
        summary.failed += rows.length - dead;
        summary.deadLettered += dead;
        this.callHook('onFailed', (h) => h.onFailed?.(topic, rows.length, outcome));
        if (dead > 0) {
          const reason = this.expiredReason(outcome.reason);
          this.callHook('onDeadLettered', (h) => h.onDeadLettered?.(topic, dead, reason));
        }
      } else if (rows.length > 1) {
        // Nobody knows which row was refused: retry each alone at once, so only it dies.
        await this.store.splitIntoSolo(ids, outcome.reason);
        summary.failed += rows.length;
        this.callHook('onFailed', (h) => h.onFailed?.(topic, rows.length, outcome));
      } else {
        await this.store.deadLetter(ids, outcome.reason);
        summary.deadLettered += 1;
        this.callHook('onDeadLettered', (h) => h.onDeadLettered?.(topic, 1, outcome.reason));
      }
    } catch (err) {
      // The rows stay claimed until their lease expires (or stop() releases them) and are then
      // sent again; receivers store by record id, so a repeat changes nothing.
      this.logger.error(
        `${this.options.channel}: could not record ${outcome.kind} outcome of ${rows.length} ` +
          `${topic} row(s): ${errorMessage(err)}`,
        err instanceof Error ? err.stack : undefined,
      );
    }
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

function groupIntoRequests(rows: ClaimedRow[]): Request[] {
  const batches = new Map<string, ClaimedRow[]>();
  const requests: Request[] = [];
  for (const row of rows) {
    if (row.solo) {
      requests.push({ topic: row.topic, rows: [row] });
      continue;
    }
    const batch = batches.get(row.topic);
    if (batch) batch.push(row);
    else batches.set(row.topic, [row]);
  }
  for (const [topic, batch] of batches) requests.unshift({ topic, rows: batch });
  return requests;
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
