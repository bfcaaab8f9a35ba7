import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { DeliveryChannelSettings } from './delivery-channel.definition';
import type {
  BacklogStats,
  DeadLetter,
  DeliveryHealth,
  OutboxMessage,
  RelayLogger,
  ReplaySelector,
  SqlExecutor,
} from './delivery.types';
import type { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';

/** A channel's backlog as operators read it, in `/health` and on the backlog endpoint. */
export function backlogFields(stats: BacklogStats): Record<string, unknown> {
  return {
    pending: stats.pending,
    oldest_pending_age_seconds: stats.oldestPendingAgeSeconds,
    dead_letters: stats.deadLetters,
    last_success_at: stats.lastSuccessAt,
    last_error_at: stats.lastErrorAt,
    last_error: stats.lastError,
  };
}

/** A message for this channel: the channel is implied. */
export type ChannelMessage = Omit<OutboxMessage, 'channel'>;

/**
 * One delivery channel as its producers and operators see it, made by DeliveryModule.forChannel:
 * producers enqueue inside their own transaction and kick after the commit; the relay starts
 * and stops with the module. A channel that is off (no settings) queues nothing, and its
 * figures are zeros.
 */
export class DeliveryChannel implements OnModuleInit, OnModuleDestroy {
  private readonly writer = new OutboxWriter();
  private readonly topics?: ReadonlySet<string>;

  constructor(
    readonly name: string,
    private readonly relay: OutboxRelay | undefined,
    private readonly settings: DeliveryChannelSettings | undefined,
    private readonly logger: RelayLogger,
    private readonly offMessage?: string,
    private readonly healthNames = { key: name, label: name },
  ) {
    if (settings?.topics) this.topics = new Set(settings.topics);
  }

  get enabled(): boolean {
    return this.relay !== undefined;
  }

  /** Whether records of `topic` are queued on this channel. */
  accepts(topic: string): boolean {
    return this.enabled && (this.topics === undefined || this.topics.has(topic));
  }

  /**
   * Where a producer writing its outbox rows in its own statement (insertMessagesFrom) puts
   * those of `topic`; undefined when the topic is not carried.
   */
  target(topic: string): { channel: string; topic: string } | undefined {
    return this.accepts(topic) ? { channel: this.name, topic } : undefined;
  }

  /**
   * Queues messages inside the caller's transaction (`executor` is its client), so the
   * records and their outbox rows commit or roll back together. Topics the channel does not
   * carry are skipped. Call kick() after the commit.
   */
  async enqueue(executor: SqlExecutor, messages: ChannelMessage[]): Promise<void> {
    const carried = messages.filter((m) => this.accepts(m.topic));
    if (carried.length === 0) return;
    await this.writer.enqueue(
      executor,
      carried.map((m) => ({ ...m, channel: this.name })),
    );
  }

  /** After the producer's commit: the relay picks the rows up at once. */
  kick(): void {
    this.relay?.kick();
  }

  onModuleInit(): void {
    if (!this.relay) {
      if (this.offMessage) this.logger.warn(this.offMessage);
      return;
    }
    this.relay.start();
    if (this.settings?.startMessage) this.logger.log(this.settings.startMessage);
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay?.stop();
  }

  stats(): Promise<BacklogStats> {
    if (this.relay) return this.relay.stats();
    return Promise.resolve({
      channel: this.name,
      pending: 0,
      oldestPendingAgeSeconds: null,
      deadLetters: 0,
      lastSuccessAt: null,
      lastErrorAt: null,
      lastError: null,
    });
  }

  deadLetters(query: { limit: number; beforeId?: string; topic?: string }): Promise<DeadLetter[]> {
    return this.relay ? this.relay.listDeadLetters(query) : Promise.resolve([]);
  }

  replay(selector: ReplaySelector): Promise<number> {
    return this.relay ? this.relay.replay(selector) : Promise.resolve(0);
  }

  /** This instance's delivery state (which side fails, since when); undefined when off. */
  health(): DeliveryHealth | undefined {
    return this.relay?.health();
  }

  /**
   * The channel's part of `/health`: this instance's delivery state and the channel's
   * backlog. A failing receiver makes the summary `degraded` but never unready: the other
   * service's trouble must not take this one out of its load balancer. The backlog needs our
   * database; without it the figures are null.
   */
  async healthSummary(): Promise<Record<string, unknown>> {
    const { key, label } = this.healthNames;
    if (!this.relay) return { [key]: { enabled: false } };
    const health = this.relay.health();
    let backlog: Record<string, unknown>;
    try {
      backlog = backlogFields(await this.relay.stats());
    } catch {
      backlog = { pending: null, oldest_pending_age_seconds: null, dead_letters: null };
    }
    return {
      ...(health.state === 'ok' ? {} : { degraded: `${label} ${health.state}: ${health.reason}` }),
      [key]: {
        enabled: true,
        state: health.state,
        side: health.side,
        reason: health.reason,
        since: health.since,
        failures: health.failures,
        ...backlog,
      },
    };
  }
}
