import { PeriodicTask, SqlPool } from '@app/platform';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DevicesConfig } from '../config/devices.config';
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from './webhook-event-types';
import { ENABLED_SUBSCRIPTIONS, NOTIFY_CHANGED } from './webhooks.sql';

const NOTIFY_CHANNEL = 'webhook_endpoints';

/**
 * Which enabled endpoints want each event type, cached in memory so a write with no subscriber
 * pays nothing (its ingest statement is the one it would be without webhooks). Consistency: a
 * change made through this replica applies to the writes it starts after the change; other
 * replicas reload on the change's NOTIFY (milliseconds), and every WEBHOOK_SUBSCRIPTION_REFRESH
 * in case a notification was lost. A write started on a stale cache may queue an event for an
 * endpoint just disabled (the delivery then skips it) or miss one just created.
 */
@Injectable()
export class WebhookSubscriptions implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookSubscriptions.name);
  private byType = new Map<string, string[]>();
  private listener?: Client;
  private readonly refresh: PeriodicTask;

  constructor(
    private readonly pool: SqlPool,
    private readonly dataSource: DataSource,
    private readonly config: DevicesConfig,
  ) {
    this.refresh = new PeriodicTask(
      'Webhook subscription refresh',
      () => this.reload(),
      this.logger,
    );
  }

  /** The enabled endpoints subscribed to `type` (empty: no event needs writing). */
  endpointsFor(type: string): string[] {
    return this.byType.get(type) ?? [];
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.refresh.start(this.config.WEBHOOK_SUBSCRIPTION_REFRESH);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.refresh.stop();
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** After a change to the endpoints: reload here, and tell the other replicas. */
  async changed(): Promise<void> {
    await this.reload();
    await this.pool.query(NOTIFY_CHANGED);
  }

  private async reload(): Promise<void> {
    if (!this.listener) await this.listen();
    const { rows } = await this.pool.query<{ id: string; events: string[] }>(ENABLED_SUBSCRIPTIONS);
    const byType = new Map<string, string[]>();
    for (const { id, events } of rows) {
      const types: readonly string[] = events.includes(ALL_EVENTS) ? WEBHOOK_EVENT_TYPES : events;
      for (const type of types) byType.set(type, [...(byType.get(type) ?? []), id]);
    }
    this.byType = byType;
  }

  /** A connection of its own for LISTEN; a lost one is opened again at the next refresh. */
  private async listen(): Promise<void> {
    const options = this.dataSource.options as { url?: string; extra?: { options?: string } };
    const client = new Client({ connectionString: options.url, options: options.extra?.options });
    client.on('notification', () => {
      this.reload().catch((error: unknown) =>
        this.logger.warn(`Reloading webhook subscriptions failed: ${String(error)}`),
      );
    });
    client.on('error', (error) => {
      this.logger.warn(`Webhook subscription notifications lost: ${error.message}`);
      if (this.listener === client) this.listener = undefined;
      void client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.logger.warn(`Cannot listen for webhook changes yet: ${String(error)}`);
      await client.end().catch(() => undefined);
    }
  }
}
