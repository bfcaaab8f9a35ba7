import { errorBody, MetricsService, PeriodicTask, SqlPool } from '@app/platform';
import {
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DevicesConfig } from '../config/devices.config';
import { newEventId, WebhookEvents } from './webhook-events.service';
import { WEBHOOK_TEST_EVENT } from './webhook-event-types';
import { WebhooksService } from './webhooks.service';
import {
  BACKLOG_BY_ENDPOINT,
  EMIT_TEST_EVENT,
  EVENT_OF_DELIVERY,
  LIST_DELIVERIES,
  PRUNE,
  REDELIVER,
} from './webhooks.sql';

/** How often old events and log lines are pruned, and how many rows a statement deletes. */
const PRUNE_INTERVAL_MS = 10 * 60_000;
const PRUNE_SLICE = 5000;

/**
 * What operators do with deliveries: read an endpoint's log, redeliver an event, send a test
 * event. Also prunes events and log lines past WEBHOOK_RETENTION and feeds the backlog gauge.
 */
@Injectable()
export class WebhookDeliveries implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveries.name);
  private readonly prune: PeriodicTask;

  constructor(
    private readonly pool: SqlPool,
    private readonly config: DevicesConfig,
    private readonly webhooks: WebhooksService,
    private readonly events: WebhookEvents,
    metrics: MetricsService,
  ) {
    this.prune = new PeriodicTask('Webhook pruning', () => this.pruneAll(), this.logger);
    const db = this.pool;
    metrics.gauge(
      'webhook_backlog',
      'Webhook deliveries waiting (state pending) or given up (state dead) per endpoint',
      ['endpoint', 'state'],
      async function () {
        this.reset();
        const { rows } = await db.query<{ endpoint: string; pending: number; dead: number }>(
          BACKLOG_BY_ENDPOINT,
        );
        for (const row of rows) {
          this.set({ endpoint: row.endpoint, state: 'pending' }, row.pending);
          this.set({ endpoint: row.endpoint, state: 'dead' }, row.dead);
        }
      },
    );
  }

  onApplicationBootstrap(): void {
    this.prune.start(PRUNE_INTERVAL_MS, 60_000);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.prune.stop();
  }

  /** Events and log lines past WEBHOOK_RETENTION, a slice per statement until none is left. */
  async pruneAll(): Promise<void> {
    for (;;) {
      const { rows } = await this.pool.query<{ events: number; deliveries: number }>(PRUNE, [
        this.config.WEBHOOK_RETENTION,
        PRUNE_SLICE,
      ]);
      if (rows[0].events < PRUNE_SLICE && rows[0].deliveries < PRUNE_SLICE) return;
    }
  }

  async list(id: string, limit: number, before?: string): Promise<Record<string, unknown>[]> {
    await this.webhooks.get(id);
    const { rows } = await this.pool.query(LIST_DELIVERIES, [id, limit, before ?? null]);
    return rows.map((row) => ({ ...row, id: String(row.id) }));
  }

  /** Queues the event of a logged delivery again for the endpoint; returns the event id. */
  async redeliver(id: string, deliveryId: string): Promise<string> {
    await this.webhooks.get(id);
    const { rows } = await this.pool.query<{ event_id: string }>(EVENT_OF_DELIVERY, [
      id,
      deliveryId,
    ]);
    if (rows.length === 0) {
      throw new NotFoundException(
        errorBody(404, `Delivery ${deliveryId} of webhook ${id} not found`),
      );
    }
    return this.redeliverEvent(id, rows[0].event_id);
  }

  async redeliverEvent(id: string, eventId: string): Promise<string> {
    await this.webhooks.get(id);
    const { rowCount } = await this.pool.query(REDELIVER, [id, eventId]);
    if (!rowCount) {
      throw new NotFoundException(errorBody(404, `Event ${eventId} not found (or no longer kept)`));
    }
    this.events.kick();
    return eventId;
  }

  /** Sends a `webhook.test` event to this endpoint alone; returns its id. */
  async test(id: string): Promise<string> {
    const endpoint = await this.webhooks.get(id);
    const eventId = newEventId();
    const data = { webhook_id: endpoint.id, message: 'A test event sent by an operator' };
    await this.pool.query(EMIT_TEST_EVENT, [eventId, WEBHOOK_TEST_EVENT, JSON.stringify(data), id]);
    this.events.kick();
    return eventId;
  }
}
