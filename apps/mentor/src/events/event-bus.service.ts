import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { Client } from 'pg';
import { Observable, ReplaySubject, Subject, filter } from 'rxjs';
import { DataSource } from 'typeorm';
import { EVENTS_CHANNEL, type LiveEvent } from './live-event';

const RECONNECT_MS = 2000;

/**
 * Listens to the events channel on a dedicated connection and fans events out to the SSE
 * streams of this process. Reconnects after a lost connection (events in that gap are missed;
 * the dashboard refetches on reconnect, see docs).
 */
@Injectable()
export class EventBus implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(EventBus.name);
  private readonly events = new Subject<LiveEvent>();
  /** Emits once when shutdown begins, so open streams end before the HTTP server closes. */
  readonly closing = new ReplaySubject<void>(1);
  private client?: Client;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  beforeApplicationShutdown(): void {
    this.closing.next();
    this.closing.complete();
    this.events.complete();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  stream(deviceid?: string): Observable<LiveEvent> {
    return deviceid
      ? this.events.pipe(filter((event) => event.deviceid === deviceid))
      : this.events.asObservable();
  }

  private async connect(): Promise<void> {
    const options = this.dataSource.options as { url?: string; extra?: { options?: string } };
    const client = new Client({ connectionString: options.url, options: options.extra?.options });
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      try {
        this.events.next(JSON.parse(message.payload) as LiveEvent);
      } catch {
        this.logger.warn('Ignored a malformed live event');
      }
    });
    client.on('error', (error) => {
      this.logger.warn(`Live event connection lost: ${error.message}`);
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      this.client = client;
    } catch (error) {
      this.logger.warn(`Cannot listen for live events yet: ${String(error)}`);
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    void this.client?.end().catch(() => undefined);
    this.client = undefined;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
