import { errorBody, SqlPool } from '@app/platform';
import {
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DeviceEntity } from './device.entity';

const CACHE_LIMIT = 100_000;
const LAST_SEEN_FLUSH_MS = 5000;

/**
 * Which devices exist, without a query per telemetry request: registered ids are cached
 * (devices are never deleted, so a cached id stays true). Last-seen times are gathered in
 * memory and written every few seconds in one statement, not on every request.
 */
@Injectable()
export class DeviceRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceRegistry.name);
  private readonly known = new Set<string>();
  private seen = new Map<string, Date>();
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    private readonly pool: SqlPool,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flushLastSeen(), LAST_SEEN_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flushLastSeen();
  }

  remember(deviceid: string): void {
    if (this.known.size >= CACHE_LIMIT) this.known.clear();
    this.known.add(deviceid);
  }

  async assertRegistered(deviceid: string): Promise<void> {
    if (this.known.has(deviceid)) return;
    if (!(await this.devices.existsBy({ deviceid }))) {
      throw new NotFoundException(errorBody(404, `Device ${deviceid} is not registered`));
    }
    this.remember(deviceid);
  }

  touch(deviceid: string): void {
    this.seen.set(deviceid, new Date());
  }

  private async flushLastSeen(): Promise<void> {
    if (this.seen.size === 0) return;
    const batch = this.seen;
    this.seen = new Map();
    try {
      // One statement for every device seen since the last flush.
      await this.pool.query(
        `UPDATE devices d SET last_seen_at = GREATEST(d.last_seen_at, v.seen)
           FROM unnest($1::text[], $2::timestamptz[]) AS v(deviceid, seen)
          WHERE d.deviceid = v.deviceid`,
        [[...batch.keys()], [...batch.values()].map((d) => d.toISOString())],
      );
    } catch (error) {
      this.logger.warn(`Could not record last-seen times: ${String(error)}`);
    }
  }
}
