import type { DataType } from '@app/contracts';
import {
  OutboxRelay,
  OutboxWriter,
  type BacklogStats,
  type DeadLetter,
  type DeliveryHealth,
  type OutboxMessage,
  type ReplaySelector,
  type SqlExecutor,
} from '@app/delivery';
import { BLOB_STORE, MetricsService, SqlPool, type BlobStore } from '@app/platform';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DevicesConfig } from '../config/devices.config';
import { forwardingHooks } from './forwarding-metrics';
import { MentorTransport } from './mentor-transport';

export const MENTOR_CHANNEL = 'mentor';

/**
 * Durable hand-off to the mentor. Producers call `enqueue` inside their own transaction and
 * `kick` after commit; the relay does the rest. Without MENTOR_API_URL nothing is queued.
 */
@Injectable()
export class ForwardingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ForwardingService.name);
  private readonly writer = new OutboxWriter();
  private readonly relay?: OutboxRelay;
  private readonly enabledTypes: ReadonlySet<DataType>;

  constructor(
    private readonly config: DevicesConfig,
    pool: SqlPool,
    metrics: MetricsService,
    @Inject(BLOB_STORE) images: BlobStore,
  ) {
    const toggles: [DataType, boolean][] = [
      ['device', true],
      ['command_status', true],
      ['metrics', config.FORWARD_METRICS],
      ['activities', config.FORWARD_ACTIVITIES],
      ['processes', config.FORWARD_PROCESSES],
      ['alerts', config.FORWARD_ALERTS],
      ['screenshots', config.FORWARD_SCREENSHOTS],
    ];
    this.enabledTypes = new Set(
      config.MENTOR_API_URL ? toggles.filter(([, on]) => on).map(([type]) => type) : [],
    );
    if (config.MENTOR_API_URL && config.MENTOR_API_TOKEN) {
      this.relay = new OutboxRelay(
        pool,
        {
          channel: MENTOR_CHANNEL,
          transport: new MentorTransport(
            config.MENTOR_API_URL,
            config.MENTOR_API_TOKEN,
            config.FORWARD_TIMEOUT,
            images,
          ),
          hooks: forwardingHooks(metrics),
          batchSize: config.FORWARD_BATCH_SIZE,
          concurrency: config.FORWARD_CONCURRENCY,
          quickRetries: config.FORWARD_MAX_RETRIES,
          maxBackoffMs: config.FORWARD_MAX_BACKOFF,
          deadLetterAfterMs: config.FORWARD_DEAD_LETTER_AFTER,
          leaseMs: config.FORWARD_TIMEOUT * 2 + 10_000,
          receiver: {
            name: 'mentor',
            credentialSetting: 'MENTOR_API_TOKEN',
            urlSetting: 'MENTOR_API_URL',
          },
        },
        this.logger,
      );
      this.registerGauges(metrics);
    }
  }

  get enabled(): boolean {
    return this.relay !== undefined;
  }

  forwards(type: DataType): boolean {
    return this.enabledTypes.has(type);
  }

  /**
   * Where the outbox rows of `type` go, for a producer writing them in its own statement
   * (insertMessagesFrom); undefined when the type is not forwarded.
   */
  outboxTarget(type: DataType): { channel: string; topic: DataType } | undefined {
    return this.forwards(type) ? { channel: MENTOR_CHANNEL, topic: type } : undefined;
  }

  /** Queues records inside the caller's transaction; types that are not forwarded are skipped. */
  async enqueue(
    client: SqlExecutor,
    type: DataType,
    messages: Omit<OutboxMessage, 'channel' | 'topic'>[],
  ): Promise<void> {
    if (!this.forwards(type) || messages.length === 0) return;
    await this.writer.enqueue(
      client,
      messages.map((message) => ({ ...message, channel: MENTOR_CHANNEL, topic: type })),
    );
  }

  /** Call after the producer's commit, so the relay picks the rows up at once. */
  kick(): void {
    this.relay?.kick();
  }

  onApplicationBootstrap(): void {
    if (this.relay) {
      this.relay.start();
      this.logger.log(
        `Forwarding to ${this.config.MENTOR_API_URL} (${[...this.enabledTypes].join(', ')})`,
      );
    } else {
      this.logger.warn('MENTOR_API_URL is not set: standalone mode, nothing is forwarded');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }

  async stats(): Promise<BacklogStats & { enabled: boolean; mentor_url: string | null }> {
    const base: BacklogStats = this.relay
      ? await this.relay.stats()
      : {
          channel: MENTOR_CHANNEL,
          pending: 0,
          oldestPendingAgeSeconds: null,
          deadLetters: 0,
          lastSuccessAt: null,
          lastErrorAt: null,
          lastError: null,
        };
    return { ...base, enabled: this.enabled, mentor_url: this.config.MENTOR_API_URL ?? null };
  }

  async deadLetters(query: {
    limit: number;
    beforeId?: string;
    topic?: string;
  }): Promise<DeadLetter[]> {
    return this.relay ? this.relay.listDeadLetters(query) : [];
  }

  async replay(selector: ReplaySelector): Promise<number> {
    return this.relay ? this.relay.replay(selector) : 0;
  }

  /**
   * Forwarding's part of `/health`: this instance's delivery state (which side fails, since
   * when) and the channel's backlog. A mentor outage or a refused token makes the summary
   * `degraded` but never unready: the other service's trouble must not take this one out of
   * its load balancer. The backlog needs our database; without it the figures are null.
   */
  async healthSummary(): Promise<Record<string, unknown>> {
    if (!this.relay) return { forwarding: { enabled: false } };
    const health = this.relay.health();
    let backlog: Record<string, unknown>;
    try {
      const s = await this.relay.stats();
      backlog = {
        pending: s.pending,
        oldest_pending_age_seconds: s.oldestPendingAgeSeconds,
        dead_letters: s.deadLetters,
        last_success_at: s.lastSuccessAt,
        last_error_at: s.lastErrorAt,
        last_error: s.lastError,
      };
    } catch {
      backlog = { pending: null, oldest_pending_age_seconds: null, dead_letters: null };
    }
    return {
      ...(health.state === 'ok'
        ? {}
        : { degraded: `forwarding ${health.state}: ${health.reason}` }),
      forwarding: {
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

  /** This instance's delivery state, for the operator's backlog view. */
  health(): DeliveryHealth | undefined {
    return this.relay?.health();
  }

  private registerGauges(metrics: MetricsService): void {
    const relay = this.relay!;
    // One stats query per scrape feeds all three gauges.
    let pending: Promise<BacklogStats> | undefined;
    const current = (): Promise<BacklogStats> => {
      pending ??= relay.stats().finally(() => setTimeout(() => (pending = undefined), 100));
      return pending;
    };
    metrics.gauge(
      'outbox_pending',
      'Outbox rows waiting for delivery',
      ['channel'],
      async function () {
        this.set({ channel: MENTOR_CHANNEL }, (await current()).pending);
      },
    );
    metrics.gauge(
      'outbox_oldest_pending_age_seconds',
      'Age of the oldest undelivered outbox row',
      ['channel'],
      async function () {
        this.set({ channel: MENTOR_CHANNEL }, (await current()).oldestPendingAgeSeconds ?? 0);
      },
    );
    metrics.gauge(
      'outbox_dead_letters',
      'Outbox rows in the dead-letter state',
      ['channel'],
      async function () {
        this.set({ channel: MENTOR_CHANNEL }, (await current()).deadLetters);
      },
    );
  }
}
