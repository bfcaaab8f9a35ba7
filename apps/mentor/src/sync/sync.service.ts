import {
  ForwardedActivityDto,
  ForwardedAlertDto,
  ForwardedDeviceDto,
  ForwardedMetricDto,
  ForwardedProcessSnapshotDto,
  MAX_EXPORT_PAGE,
  type DataType,
  type ExportedRecord,
} from '@app/contracts';
import { BatchBodyPipe, errorBody, SqlPool } from '@app/platform';
import {
  BadGatewayException,
  ConflictException,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';
import { IngestService } from '../ingest/ingest.service';
import { DevicesExportClient, DevicesUnavailableError } from './devices-export.client';
import { READ_STATE, RECORD_ATTEMPT, RECORD_ERROR, RECORD_PAGE, SOURCE } from './sync.sql';

const MAX_PAGES_PER_RUN = 50;
const batch = { allowSingle: false, maxItems: MAX_EXPORT_PAGE };

export interface SyncResult {
  pulled: number;
  stored: number;
  pages: number;
  hasMore: boolean;
  lastSyncTime: string | null;
}

/**
 * The pull path: reads the Devices export feed from the saved cursor and stores what it finds
 * through the same idempotent ingest as the push path, so pull and push together leave no gap
 * and never duplicate. One run at a time per process; the cursor is saved after every page.
 */
@Injectable()
export class SyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncService.name);
  private readonly client?: DevicesExportClient;
  private running?: Promise<SyncResult>;
  private timer?: NodeJS.Timeout;
  private readonly handlers: Record<
    DataType,
    ((records: unknown[]) => Promise<{ stored: number }>) | undefined
  >;

  constructor(
    private readonly config: MentorConfig,
    private readonly pool: SqlPool,
    ingest: IngestService,
  ) {
    if (config.DEVICES_API_URL && config.MENTOR_API_TOKEN) {
      this.client = new DevicesExportClient(
        config.DEVICES_API_URL,
        config.MENTOR_API_TOKEN,
        config.SYNC_TIMEOUT,
      );
    }
    // Pulled records are validated with the same classes as pushed ones.
    const pipe = <T extends object>(cls: new () => T) => new BatchBodyPipe(cls, batch);
    const devices = pipe(ForwardedDeviceDto);
    const metrics = pipe(ForwardedMetricDto);
    const activities = pipe(ForwardedActivityDto);
    const alerts = pipe(ForwardedAlertDto);
    const processes = pipe(ForwardedProcessSnapshotDto);
    this.handlers = {
      device: (r) => ingest.ingestDevices(devices.transform(r)),
      metrics: (r) => ingest.ingestRecords('metrics', metrics.transform(r)),
      activities: (r) => ingest.ingestRecords('activities', activities.transform(r)),
      alerts: (r) => ingest.ingestRecords('alerts', alerts.transform(r)),
      processes: (r) => ingest.ingestProcessSnapshots(processes.transform(r)),
      screenshots: undefined,
      command_status: undefined,
    };
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.client) return;
    // Once at start: what Devices took in while this service was down arrives now, not at the
    // next period or a manual POST /sync.
    this.sync().then(
      (result) =>
        this.logger.log(
          `Reconciled at start: ${result.pulled} records pulled, ${result.stored} new`,
        ),
      (error: Error) =>
        this.logger.warn(
          `Could not reconcile at start (${error.message}); ` +
            (this.config.SYNC_INTERVAL > 0
              ? `next pull in ${this.config.SYNC_INTERVAL / 1000} s`
              : 'pull with POST /sync'),
        ),
    );
    if (this.config.SYNC_INTERVAL === 0) return;
    this.timer = setInterval(() => {
      this.sync().catch((error: Error) =>
        this.logger.warn(`Periodic sync failed: ${error.message}`),
      );
    }, this.config.SYNC_INTERVAL);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Pulls until the feed is drained (or a bounded number of pages); joins a run in progress. */
  sync(): Promise<SyncResult> {
    if (!this.client) {
      return Promise.reject(
        new ConflictException(errorBody(409, 'Pull is off: DEVICES_API_URL is not set')),
      );
    }
    this.running ??= this.run(this.client).finally(() => (this.running = undefined));
    return this.running;
  }

  async status(): Promise<Record<string, unknown>> {
    const { rows } = await this.pool.query(READ_STATE, [SOURCE]);
    const state = rows[0] as Record<string, unknown> | undefined;
    const lastSuccess = state?.last_success_at as Date | null | undefined;
    const lastError = state?.last_error_at as Date | null | undefined;
    return {
      configured: this.configured,
      devices_api_url: this.config.DEVICES_API_URL ?? null,
      interval_seconds: this.config.SYNC_INTERVAL / 1000,
      running: this.running !== undefined,
      connected: lastSuccess ? !lastError || lastSuccess >= lastError : false,
      last_attempt_at: state?.last_attempt_at ?? null,
      last_success_at: lastSuccess ?? null,
      last_error_at: lastError ?? null,
      last_error: state?.last_error ?? null,
      last_remote_time: state?.last_remote_time ?? null,
      records_pulled: Number(state?.records_pulled ?? 0),
    };
  }

  private async run(client: DevicesExportClient): Promise<SyncResult> {
    await this.pool.query(RECORD_ATTEMPT, [SOURCE]);
    const { rows } = await this.pool.query<{ cursor: string | null }>(READ_STATE, [SOURCE]);
    let cursor = rows[0]?.cursor ?? null;
    const result: SyncResult = {
      pulled: 0,
      stored: 0,
      pages: 0,
      hasMore: true,
      lastSyncTime: null,
    };
    try {
      while (result.hasMore && result.pages < MAX_PAGES_PER_RUN) {
        const page = await client.page(cursor, this.config.SYNC_PAGE_SIZE);
        result.stored += await this.store(page.records);
        result.pulled += page.records.length;
        result.pages += 1;
        result.hasMore = page.hasMore;
        result.lastSyncTime = page.lastSyncTime;
        cursor = page.cursor ?? cursor;
        await this.pool.query(RECORD_PAGE, [
          SOURCE,
          cursor,
          page.lastSyncTime,
          page.records.length,
        ]);
      }
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.pool.query(RECORD_ERROR, [SOURCE, message.slice(0, 1000)]).catch(() => undefined);
      // What the Devices service did wrong is a bad gateway, not this service's failure.
      if (error instanceof DevicesUnavailableError)
        throw new BadGatewayException(errorBody(502, message));
      throw error;
    }
  }

  /** Stores one page, type by type (device facts first); returns how many were new. */
  private async store(records: ExportedRecord[]): Promise<number> {
    const byType = new Map<DataType, unknown[]>();
    for (const { type, record } of records) {
      if (!this.handlers[type]) continue;
      byType.set(type, [...(byType.get(type) ?? []), record]);
    }
    let stored = 0;
    for (const [type, items] of byType) stored += (await this.handlers[type]!(items)).stored;
    return stored;
  }
}
