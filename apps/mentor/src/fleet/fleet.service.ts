import { SPARKLINE_WINDOW_MS, type DeviceListQueryDto } from '@app/contracts';
import { SqlPool, prepared } from '@app/platform';
import { Injectable } from '@nestjs/common';
import { SqlFilter } from '../common/sql-filter';
import { MentorConfig } from '../config/mentor.config';
import { deviceNotFound } from './device-not-found';
import { toDeviceView, type DeviceView } from './device-view';
import {
  ALERTS_BY_LEVEL,
  BUSIEST,
  DEVICE_ORDER,
  deviceViewSql,
  FLEET_SUMMARY,
  RATE_MINUTES,
  RECENT_SAMPLES,
  SPARKLINES,
} from './fleet.sql';

const oneDecimal = (value: number | null): number | null =>
  value === null ? null : Math.round(value * 10) / 10;

@Injectable()
export class FleetService {
  constructor(
    private readonly config: MentorConfig,
    private readonly pool: SqlPool,
  ) {}

  async list(query: DeviceListQueryDto): Promise<DeviceView[]> {
    const filter = new SqlFilter();
    filter.param(this.config.ONLINE_WINDOW);
    if (query.search) {
      filter.add((p) => {
        const pattern = p(`%${query.search!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        return `(d.device_name ILIKE ${pattern} OR d.deviceid ILIKE ${pattern})`;
      });
    }
    if (query.status) {
      const online = `(d.last_seen_at > now() - $1::float8 * interval '1 millisecond')`;
      filter.add(() => (query.status === 'online' ? online : `NOT COALESCE(${online}, false)`));
    }
    filter.window(
      { before: query.before, before_id: query.before_id, since: query.since },
      `COALESCE(d.last_seen_at, '-infinity'::timestamptz)`,
      'd.deviceid',
      'text',
    );
    const limit = filter.param(query.limit);
    const page = `SELECT * FROM devices d ${filter.where} ${DEVICE_ORDER} LIMIT ${limit}`;
    const { rows } = await this.pool.query(
      prepared(`${deviceViewSql(page)} ${DEVICE_ORDER}`, filter.params),
    );
    const devices = rows.map(toDeviceView);
    if (query.sparkline) await this.addSparklines(devices, query.sparkline, query.sparkline_points);
    return devices;
  }

  /**
   * Each device's CPU and memory over the last `window`, in `points` buckets aligned to the
   * epoch (so a refetch gives the same buckets), the last one holding the current time. Compact
   * arrays: a page of 1,000 devices stays a few hundred kilobytes.
   */
  private async addSparklines(
    devices: DeviceView[],
    window: keyof typeof SPARKLINE_WINDOW_MS,
    points: number,
  ): Promise<void> {
    const stepMs = SPARKLINE_WINDOW_MS[window] / points;
    const end = (Math.floor(Date.now() / stepMs) + 1) * stepMs;
    const from = new Date(end - points * stepMs).toISOString();
    const { rows } = await this.pool.query<{
      deviceid: string;
      i: number;
      cpu: number | null;
      mem: number | null;
    }>(
      prepared(SPARKLINES, [
        devices.map((d) => d.deviceid),
        stepMs,
        from,
        new Date(end).toISOString(),
      ]),
    );
    const empty = (): (number | null)[] => new Array<number | null>(points).fill(null);
    for (const device of devices) {
      device.sparkline = { from, step_seconds: stepMs / 1000, cpu: empty(), mem: empty() };
    }
    const byId = new Map(devices.map((d) => [d.deviceid, d.sparkline!]));
    for (const row of rows) {
      const line = byId.get(row.deviceid);
      if (!line || row.i < 0 || row.i >= points) continue;
      line.cpu[row.i] = oneDecimal(row.cpu);
      line.mem[row.i] = oneDecimal(row.mem);
    }
  }

  async get(deviceid: string): Promise<DeviceView> {
    const page = 'SELECT * FROM devices d WHERE d.deviceid = $2';
    const { rows } = await this.pool.query(deviceViewSql(page), [
      this.config.ONLINE_WINDOW,
      deviceid,
    ]);
    if (rows.length === 0) throw deviceNotFound(deviceid);
    return toDeviceView(rows[0]);
  }

  /** 404 for devices the mentor has never heard of; used by every per-device endpoint. */
  async assertExists(deviceid: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      prepared('SELECT 1 FROM devices WHERE deviceid = $1', [deviceid]),
    );
    if (rowCount === 0) throw deviceNotFound(deviceid);
  }

  async summary(): Promise<Record<string, unknown>> {
    const window = this.config.ONLINE_WINDOW;
    const [devices, alerts, busiest, recent] = await Promise.all([
      this.pool.query<{ total: number; online: number }>(FLEET_SUMMARY, [window]),
      this.pool.query<{ level: string; n: number }>(ALERTS_BY_LEVEL),
      this.pool.query(BUSIEST, [window, 5]),
      this.pool.query<{ samples: string; since: Date; until: Date }>(
        prepared(RECENT_SAMPLES, [RATE_MINUTES]),
      ),
    ]);
    const { total, online } = devices.rows[0];
    const { samples, since, until } = recent.rows[0];
    return {
      devices: { total, online, offline: total - online },
      telemetry_rate: {
        metrics_per_second: oneDecimal(Number(samples) / (RATE_MINUTES * 60)),
        samples: Number(samples),
        since,
        until,
      },
      open_alerts_by_level: Object.fromEntries(
        ['info', 'warning', 'error', 'critical'].map((level) => [
          level,
          alerts.rows.find((r) => r.level === level)?.n ?? 0,
        ]),
      ),
      busiest: busiest.rows.map((r: Record<string, unknown>) => ({
        deviceid: r.deviceid,
        device_name: r.device_name,
        cpu_usage: r.latest_cpu_usage,
        memory_used: r.latest_memory_used === null ? null : Number(r.latest_memory_used),
        memory_total: r.latest_memory_total === null ? null : Number(r.latest_memory_total),
        timestamp: r.latest_metric_at,
      })),
    };
  }
}
