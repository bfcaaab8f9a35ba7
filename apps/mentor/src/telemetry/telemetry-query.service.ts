import type { MetricsQueryDto, ProcessesQueryDto, TimeRangeQueryDto } from '@app/contracts';
import { errorBody, SqlPool, prepared } from '@app/platform';
import { BadRequestException, Injectable } from '@nestjs/common';
import { bucketPlan } from './bucket-plan';
import { SqlFilter } from '../common/sql-filter';
import { deviceNotFound } from '../fleet/device-not-found';
import { FleetService } from '../fleet/fleet.service';
import {
  ACTIVITY_COLUMNS,
  METRIC_BIGINT_FIELDS,
  METRIC_COLUMNS,
  PROCESS_SNAPSHOT,
} from './telemetry-query.sql';
import { METRIC_BUCKETS_JSON, ROLLUP_BUCKETS_JSON } from './bucket-json.sql';

const DAY_MS = 86_400_000;

type Row = Record<string, unknown>;

@Injectable()
export class TelemetryQueryService {
  constructor(
    private readonly pool: SqlPool,
    private readonly fleet: FleetService,
  ) {}

  /**
   * Raw samples, or with `points` the range downsampled: then the answer is JSON text built by
   * PostgreSQL (bucket-json.sql.ts), to be sent as is.
   */
  async metrics(deviceid: string, query: MetricsQueryDto): Promise<Row[] | string> {
    if (query.points) return this.buckets(deviceid, query, query.points);
    await this.fleet.assertExists(deviceid);
    return (await this.list('metrics', METRIC_COLUMNS, deviceid, query)).map(numbersOf);
  }

  async activities(deviceid: string, query: TimeRangeQueryDto): Promise<Row[]> {
    await this.fleet.assertExists(deviceid);
    return this.list('activities', ACTIVITY_COLUMNS, deviceid, query);
  }

  /**
   * The latest snapshot's processes as a plain array (the reference's clients read a list), each
   * carrying the snapshot's id and timestamp, sorted by cpu or memory (descending) and limited;
   * `total` is how many the snapshot holds. No snapshot yet: an empty list.
   */
  async processes(
    deviceid: string,
    query: ProcessesQueryDto,
  ): Promise<{ processes: Row[]; total: number }> {
    await this.fleet.assertExists(deviceid);
    const { rows } = await this.pool.query(PROCESS_SNAPSHOT, [deviceid]);
    if (rows.length === 0) return { processes: [], total: 0 };
    const { id, timestamp, processes } = rows[0] as Row & { processes: Row[] };
    const key = query.sort;
    const sorted = [...processes]
      .sort((a, b) => Number(b[key] ?? -1) - Number(a[key] ?? -1))
      .slice(0, query.limit)
      .map((process) => processItem(process, id, deviceid, timestamp));
    return { processes: sorted, total: processes.length };
  }

  private async list(
    table: string,
    columns: string,
    deviceid: string,
    query: TimeRangeQueryDto,
  ): Promise<Row[]> {
    const filter = new SqlFilter();
    filter.add((p) => `deviceid = ${p(deviceid)}`);
    filter.window(query);
    const limit = filter.param(query.limit);
    const { rows } = await this.pool.query(
      prepared(
        `SELECT ${columns} FROM ${table} ${filter.where} ORDER BY ts DESC, id DESC LIMIT ${limit}`,
        filter.params,
      ),
    );
    return rows;
  }

  private async buckets(deviceid: string, query: MetricsQueryDto, points: number): Promise<string> {
    const to = query.to ? Date.parse(query.to) : Date.now();
    const from = query.from ? Date.parse(query.from) : to - DAY_MS;
    if (!(from < to)) {
      throw new BadRequestException(
        errorBody(400, 'from must be before to', [
          { field: 'from', errors: ['from must be before to'] },
        ]),
      );
    }
    const plan = bucketPlan(from, to, points);
    const iso = (ms: number): string => new Date(ms).toISOString();
    const { rows } = await this.pool.query<{ body: string }>(
      plan.rollups
        ? prepared(ROLLUP_BUCKETS_JSON, [
            deviceid,
            iso(from),
            iso(to),
            plan.width,
            iso(plan.rollups.from),
            iso(plan.rollups.to),
            iso(plan.origin),
          ])
        : prepared(METRIC_BUCKETS_JSON, [deviceid, iso(from), iso(to), plan.width]),
    );
    // The statement checks the device itself: no row, no such device.
    if (rows.length === 0) throw deviceNotFound(deviceid);
    return rows[0].body;
  }
}

/** Every field of the contract in every item (null when the agent left it out), in one order. */
function processItem(process: Row, id: unknown, deviceid: string, timestamp: unknown): Row {
  return {
    id,
    deviceid,
    timestamp,
    pid: process.pid,
    process_name: process.process_name,
    cpu: process.cpu ?? null,
    memory: process.memory ?? null,
    command_text: process.command_text ?? null,
  };
}

/** bigint columns arrive as strings from node-postgres; byte counts fit a double exactly. */
function numbersOf(row: Row): Row {
  for (const field of METRIC_BIGINT_FIELDS) {
    if (typeof row[field] === 'string') row[field] = Number(row[field]);
  }
  return row;
}
