import { PeriodicTask, prepared, SqlPool, withTransaction } from '@app/platform';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';
import { publishEvents } from '../events/event-publisher';
import type { LiveEvent } from '../events/live-event';

const ONLINE_DEVICES = `
  SELECT deviceid FROM devices WHERE last_seen_at > now() - $1::float8 * interval '1 millisecond'`;
const LAST_SEEN = `SELECT deviceid, last_seen_at FROM devices WHERE deviceid = ANY($1::text[])`;

/**
 * Announces online state changes on the event stream (`device` events with `online`): a device
 * goes offline by time alone, when nothing arrives within ONLINE_WINDOW, which no write
 * announces. Every PRESENCE_CHECK_INTERVAL the set of online devices is compared with the
 * previous one; the first check only takes the starting state.
 */
@Injectable()
export class PresenceMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceMonitor.name);
  private readonly task = new PeriodicTask('Presence check', () => this.check(), this.logger);
  private online?: Set<string>;

  constructor(
    private readonly config: MentorConfig,
    private readonly pool: SqlPool,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start(this.config.PRESENCE_CHECK_INTERVAL, 0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /** Compares the online set with the previous check's and announces each change. */
  async check(): Promise<void> {
    const { rows } = await this.pool.query<{ deviceid: string }>(
      prepared(ONLINE_DEVICES, [this.config.ONLINE_WINDOW]),
    );
    const now = new Set(rows.map((row) => row.deviceid));
    const before = this.online;
    this.online = now;
    if (!before) return;
    const changed = [
      ...[...now].filter((id) => !before.has(id)),
      ...[...before].filter((id) => !now.has(id)),
    ];
    if (changed.length === 0) return;
    const seen = await this.pool.query<{ deviceid: string; last_seen_at: Date | null }>(
      prepared(LAST_SEEN, [changed]),
    );
    const events: LiveEvent[] = seen.rows.map((row) => ({
      type: 'device',
      deviceid: row.deviceid,
      count: 1,
      records: [
        { deviceid: row.deviceid, online: now.has(row.deviceid), last_seen_at: row.last_seen_at },
      ],
    }));
    await withTransaction(this.pool, (client) => publishEvents(client, events));
  }
}
