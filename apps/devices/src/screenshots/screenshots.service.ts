import { type IngestResultDto } from '@app/contracts';
import {
  BLOB_STORE,
  blobKey,
  errorBody,
  SqlPool,
  sniffImage,
  withTransaction,
  type BlobStore,
  pruneWithBlobs,
  PeriodicTask,
} from '@app/platform';
import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { isUUID, isISO8601 } from 'class-validator';
import { createHash, randomUUID } from 'node:crypto';
import { DevicesConfig } from '../config/devices.config';
import { ForwardingService } from '../forwarding/forwarding.service';
import { DeviceRegistry } from '../registration/device-registry.service';
import { WebhookEvents } from '../webhooks/webhook-events.service';
import type { Upload } from './screenshot-upload';
import { INSERT_SCREENSHOT } from './screenshots.sql';

const DAY_MS = 86_400_000;

export type ScreenshotResult = IngestResultDto & {
  sha256: string;
  content_type: string;
  width: number;
  height: number;
};

/**
 * Screenshots from agents: the type and resolution come from the bytes, the image goes to the
 * blob store under its SHA-256 (the same image twice is stored once), the record and its
 * outbox entry commit together. The forwarded record carries only metadata; the transport
 * reads the image from the store when it sends (so the outbox stays small).
 */
@Injectable()
export class ScreenshotsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScreenshotsService.name);
  private readonly retention = new PeriodicTask(
    'Screenshot retention',
    () => this.prune(),
    this.logger,
  );

  constructor(
    private readonly config: DevicesConfig,
    private readonly pool: SqlPool,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly forwarding: ForwardingService,
    private readonly registry: DeviceRegistry,
    private readonly webhooks: WebhookEvents,
  ) {}

  async ingest(deviceid: string, upload: Upload, requestId: string): Promise<ScreenshotResult> {
    const id = upload.fields.id ?? randomUUID();
    if (!isUUID(id, 'all')) {
      throw new BadRequestException(
        errorBody(400, 'id must be a UUID', [{ field: 'id', errors: ['id must be a UUID'] }]),
      );
    }
    const timestamp = upload.fields.timestamp;
    if (timestamp !== undefined && !plausibleTime(timestamp)) {
      throw new BadRequestException(
        errorBody(400, 'timestamp must be an ISO 8601 time between 2000 and 2100', [
          { field: 'timestamp', errors: ['timestamp must be an ISO 8601 date-time'] },
        ]),
      );
    }
    const info = sniffImage(upload.bytes);
    if (!info) {
      throw new UnsupportedMediaTypeException(
        errorBody(415, 'The file is not a PNG, JPEG or WebP image (checked by its content)'),
      );
    }
    await this.registry.assertRegistered(deviceid);
    const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
    await this.store.put(blobKey(sha256), upload.bytes, info.contentType);
    const ts = timestamp ? new Date(timestamp).toISOString() : new Date().toISOString();
    const stored = await withTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(INSERT_SCREENSHOT, [
        id,
        deviceid,
        ts,
        info.contentType,
        info.width,
        info.height,
        upload.bytes.length,
        sha256,
      ]);
      if (!rowCount) return false;
      const payload = {
        id,
        deviceid,
        timestamp: ts,
        content_type: info.contentType,
        width: info.width,
        height: info.height,
        size_bytes: upload.bytes.length,
        sha256,
      };
      await this.forwarding.enqueue(client, 'screenshots', [{ recordId: id, requestId, payload }]);
      await this.webhooks.emit(client, 'screenshot.submitted', payload, requestId);
      return true;
    });
    this.registry.touch(deviceid);
    this.forwarding.kick();
    if (stored) this.webhooks.kick();
    return {
      status: 'ok',
      count: 1,
      stored: stored ? 1 : 0,
      duplicates: stored ? 0 : 1,
      ids: [id],
      sha256,
      content_type: info.contentType,
      width: info.width,
      height: info.height,
    };
  }

  /** Deletes screenshots older than RETENTION_DAYS and the images no row uses any more. */
  async prune(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - this.config.RETENTION_DAYS * DAY_MS);
    const removed = await pruneWithBlobs(this.pool, this.store, 'screenshots', cutoff);
    if (removed > 0) this.logger.log(`Retention: removed ${removed} screenshot(s)`);
    return removed;
  }

  onApplicationBootstrap(): void {
    this.retention.start(
      this.config.RETENTION_INTERVAL,
      Math.min(5_000, this.config.RETENTION_INTERVAL),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.retention.stop();
  }
}

function plausibleTime(value: string): boolean {
  if (!isISO8601(value, { strict: true, strictSeparator: true })) return false;
  const time = Date.parse(value);
  return time >= Date.UTC(2000, 0, 1) && time < Date.UTC(2100, 0, 1);
}
