import type { ForwardedScreenshotDto, TimeRangeQueryDto } from '@app/contracts';
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
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import { SqlFilter } from '../common/sql-filter';
import { MentorConfig } from '../config/mentor.config';
import { eventsFor, publishEvents } from '../events/event-publisher';
import { FleetService } from '../fleet/fleet.service';
import { TOUCH_DEVICES } from '../ingest/ingest.sql';
import { INSERT_SCREENSHOTS, SCREENSHOT_BY_ID, SCREENSHOT_COLUMNS } from './screenshots.sql';

const DAY_MS = 86_400_000;

export interface ScreenshotView {
  id: string;
  deviceid: string;
  timestamp: Date;
  received_at: Date;
  content_type: string;
  width: number;
  height: number;
  size_bytes: number;
  sha256: string;
}

/**
 * Forwarded screenshots: the image arrives with its record, is checked again (bytes, type,
 * resolution and hash must match what Devices claims), stored in the blob store under its
 * SHA-256 (the same image twice is stored once) before its row commits, and served back to
 * signed-in users.
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
    private readonly config: MentorConfig,
    private readonly pool: SqlPool,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly fleet: FleetService,
  ) {}

  async ingest(
    records: ForwardedScreenshotDto[],
  ): Promise<{ received: number; stored: number; duplicates: number }> {
    records.forEach((record, index) => this.verify(record, index));
    for (const record of records) {
      // Written before the row commits: a row never exists without its image.
      await this.store.put(
        blobKey(record.sha256),
        Buffer.from(record.image_base64, 'base64'),
        record.content_type,
      );
    }
    const stored = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ScreenshotView>(INSERT_SCREENSHOTS, [
        records.map((r) => r.id),
        records.map((r) => r.deviceid),
        records.map((r) => r.timestamp),
        records.map((r) => r.content_type),
        records.map((r) => r.width),
        records.map((r) => r.height),
        records.map((r) => r.size_bytes),
        records.map((r) => r.sha256),
      ]);
      const latest = new Map<string, string>();
      for (const r of records) {
        const seen = latest.get(r.deviceid);
        if (!seen || Date.parse(r.timestamp) > Date.parse(seen))
          latest.set(r.deviceid, r.timestamp);
      }
      const ids = [...latest.keys()].sort();
      await client.query(TOUCH_DEVICES, [ids, ids.map((id) => latest.get(id))]);
      await publishEvents(
        client,
        eventsFor('screenshots', rows as unknown as Record<string, unknown>[], 'all'),
      );
      return rows.length;
    });
    return { received: records.length, stored, duplicates: records.length - stored };
  }

  async list(deviceid: string, query: TimeRangeQueryDto): Promise<ScreenshotView[]> {
    await this.fleet.assertExists(deviceid);
    const filter = new SqlFilter();
    filter.add((p) => `deviceid = ${p(deviceid)}`);
    filter.window(query);
    const limit = filter.param(query.limit);
    const { rows } = await this.pool.query<ScreenshotView>(
      `SELECT ${SCREENSHOT_COLUMNS} FROM screenshots ${filter.where}
       ORDER BY ts DESC, id DESC LIMIT ${limit}`,
      filter.params,
    );
    return rows;
  }

  async image(
    deviceid: string,
    screenshotid: string,
  ): Promise<{ screenshot: ScreenshotView; bytes: Buffer }> {
    const { rows } = await this.pool.query<ScreenshotView>(SCREENSHOT_BY_ID, [
      screenshotid,
      deviceid,
    ]);
    const screenshot = rows[0];
    if (!screenshot) {
      throw new NotFoundException(errorBody(404, `Screenshot ${screenshotid} not found`));
    }
    const bytes = await this.store.get(blobKey(screenshot.sha256));
    if (!bytes) {
      throw new NotFoundException(
        errorBody(404, `The image of screenshot ${screenshotid} is gone`),
      );
    }
    return { screenshot, bytes };
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

  /** Devices is trusted to sign, not to be right: the bytes must match every claim. */
  private verify(record: ForwardedScreenshotDto, index: number): void {
    const bytes = Buffer.from(record.image_base64, 'base64');
    const problems: string[] = [];
    if (bytes.length !== record.size_bytes) problems.push('size_bytes does not match the image');
    if (bytes.length > this.config.SCREENSHOT_MAX_BYTES)
      problems.push('image exceeds SCREENSHOT_MAX_BYTES');
    if (createHash('sha256').update(bytes).digest('hex') !== record.sha256) {
      problems.push('sha256 does not match the image');
    }
    const info = sniffImage(bytes);
    if (!info) problems.push('image is not a PNG, JPEG or WebP');
    else if (
      info.contentType !== record.content_type ||
      info.width !== record.width ||
      info.height !== record.height
    ) {
      problems.push('content_type, width or height do not match the image');
    }
    if (problems.length > 0) {
      throw new BadRequestException(
        errorBody(400, 'Screenshot does not match its image', [
          { field: `[${index}].image_base64`, errors: problems },
        ]),
      );
    }
  }
}
