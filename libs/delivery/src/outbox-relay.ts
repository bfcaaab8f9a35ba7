import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DeliveryMonitor } from './delivery-monitor';
import type {
  BacklogStats,
  ChannelOptions,
  DeadLetter,
  DeliveryHealth,
  RelayLogger,
  ReplaySelector,
  SqlExecutor,
} from './delivery.types';
import { errorMessage, OutboxDispatcher } from './outbox-dispatcher';
import { OutboxStore } from './outbox-store';
import { resolveChannelOptions, type ResolvedChannelOptions } from './relay-options';
import { WakeSignal } from './wake-signal';

/** Longest pause of a worker after repeated errors (database down, say). */
const MAX_ERROR_PAUSE_MS = 5000;

/**
 * Delivers one channel's outbox: `concurrency` workers claim due rows in batches, hand them to
 * the transport and record the outcome; a probe timer sends a canary while rows wait in
 * backoff so a recovered receiver gets the backlog at once. Any number of relays, in this
 * process or in other replicas, may run on the same channel: claims use SKIP LOCKED and leases.
 */
export class OutboxRelay {
  /** Written to claimed_by; unique per relay instance so stop() releases only its own claims. */
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  private readonly options: ResolvedChannelOptions;
  private readonly logger: RelayLogger;
  private readonly store: OutboxStore;
  private readonly dispatcher: OutboxDispatcher;
  private readonly monitor: DeliveryMonitor;
  private readonly wake = new WakeSignal();
  private running = false;
  private workers: Promise<void>[] = [];
  private probeTimer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** Records per row in the last round that claimed any (bundles hold many). */
  private recordsPerRow = 1;

  constructor(pool: SqlExecutor, options: ChannelOptions, logger?: RelayLogger) {
    this.options = resolveChannelOptions(options);
    this.logger = logger ?? consoleLogger(this.options.channel);
    this.store = new OutboxStore(pool, this.options.channel, this.instanceId);
    this.monitor = new DeliveryMonitor(this.channel, this.options.receiver, this.logger);
    this.dispatcher = new OutboxDispatcher(this.store, this.options, this.logger, this.monitor);
  }

  get channel(): string {
    return this.options.channel;
  }

  /** Starts the workers and the probe. Does nothing while running or still stopping. */
  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.runWorker());
    this.scheduleProbe();
  }

  /**
   * Stops claiming, waits for the requests in flight and their outcomes, then hands back any
   * claim this instance still holds so another relay need not wait for the lease to expire.
   */
  stop(): Promise<void> {
    // Concurrent callers (a shutdown hook and a test, say) all wait for the same shutdown.
    if (!this.running) return this.stopping ?? Promise.resolve();
    this.running = false;
    this.stopping = this.shutDown().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.wake.notify();
    await Promise.all([...this.workers, this.probing]);
    this.workers = [];
    try {
      await this.store.releaseClaims();
    } catch (err) {
      this.logger.warn(`${this.channel}: could not release claims on stop: ${errorMessage(err)}`);
    }
  }

  /**
   * Wakes idle workers now. Producers call it after committing outbox rows so delivery starts
   * within milliseconds without tight polling; any number of kicks coalesce into one round.
   */
  kick(): void {
    if (this.running) this.wake.notify();
  }

  /** One claim/send/record round. Returns how many rows it claimed (0: nothing was due). */
  async drainOnce(): Promise<number> {
    const { batchSize, leaseMs } = this.options;
    // The claim locks up to rowLimit rows and keeps those whose records fit the batch. Sized on
    // the last round, it locks about what it keeps: bundles of 10 records each with a row limit
    // of 500 locked 500 rows to keep 50 (row locks are writes), and the drain fell by a third.
    const rowLimit = Math.min(batchSize, Math.ceil((batchSize / this.recordsPerRow) * 1.25));
    const rows = await this.store.claimDue(rowLimit, batchSize, leaseMs);
    if (rows.length > 0) {
      const records = rows.reduce((sum, row) => sum + (row.bundleSize ?? 1), 0);
      this.recordsPerRow = records / rows.length;
      await this.dispatcher.dispatch(rows);
    }
    return rows.length;
  }

  /**
   * Sends one waiting row alone as a canary. If it gets through, everything in backoff is made
   * due again and the workers are woken: a long backoff never delays recovery by more than
   * probeIntervalMs. Returns whether a canary was delivered.
   */
  async probeOnce(): Promise<boolean> {
    const canary = await this.store.claimCanary(this.options.probeIntervalMs, this.options.leaseMs);
    if (!canary) return false;
    const { delivered } = await this.dispatcher.dispatch([canary]);
    if (delivered === 0) return false;
    const resumed = await this.store.resumeWaiting(
      this.options.probeScope === 'topic' ? canary.topic : undefined,
    );
    if (resumed > 0)
      this.logger.log(`${this.channel}: receiver is back, resuming ${resumed} row(s)`);
    this.kick();
    return true;
  }

  /** Dead letters matching the selector become pending again and go out one per request. */
  async replay(selector: ReplaySelector): Promise<number> {
    if (!selector.all && selector.ids === undefined && selector.topic === undefined) {
      // An empty selector replaying everything by accident would be an expensive surprise.
      throw new RangeError('delivery: replay needs ids, a topic, or all: true');
    }
    const count = await this.store.replay(selector);
    if (count > 0) this.kick();
    return count;
  }

  /** Newest first; page with beforeId = the last id of the previous page. */
  listDeadLetters(query: {
    limit: number;
    beforeId?: string;
    topic?: string;
  }): Promise<DeadLetter[]> {
    return this.store.listDeadLetters(query.limit, query.beforeId, query.topic);
  }

  stats(): Promise<BacklogStats> {
    return this.store.stats();
  }

  /** Which side fails, if any, from this instance's own recent rounds (no database query). */
  health(): DeliveryHealth {
    return this.monitor.health();
  }

  /** Claims again at once while rows are due; sleeps until a kick or the poll interval if not. */
  private async runWorker(): Promise<void> {
    let errorPauseMs = 0;
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.drainOnce();
        errorPauseMs = 0;
        // A round that claimed rows reports its database's state as it records outcomes.
        if (claimed === 0) this.monitor.databaseWorked();
      } catch (err) {
        // Never let an error end the loop: the database may be back in a moment. Only the claim
        // throws (the transport never does, and outcomes are recorded under their own catch),
        // so this is our own database, whatever the receiver is doing.
        errorPauseMs = Math.min(
          MAX_ERROR_PAUSE_MS,
          Math.max(this.options.pollIntervalMs, errorPauseMs * 2),
        );
        this.monitor.databaseFailed(err, 'claiming rows');
      }
      if (!this.running) return;
      if (errorPauseMs > 0) await this.wake.wait(errorPauseMs);
      else if (claimed === 0) await this.wake.wait(this.options.pollIntervalMs);
    }
  }

  private scheduleProbe(): void {
    if (!this.running) return;
    this.probeTimer = setTimeout(() => {
      this.probing = this.probeOnce()
        .then(
          () => undefined,
          (err: unknown) => this.monitor.databaseFailed(err, 'probing with a canary'),
        )
        .finally(() => {
          this.probing = undefined;
          this.scheduleProbe();
        });
    }, this.options.probeIntervalMs);
  }
}

function consoleLogger(channel: string): RelayLogger {
  const prefix = `[OutboxRelay ${channel}]`;
  return {
    log: (message) => console.log(`${prefix} ${message}`),
    warn: (message) => console.warn(`${prefix} ${message}`),
    error: (message, stack) => console.error(`${prefix} ${message}${stack ? `\n${stack}` : ''}`),
  };
}
