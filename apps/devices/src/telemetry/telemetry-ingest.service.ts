import {
  TELEMETRY_FIELD_COLUMNS,
  TELEMETRY_KINDS,
  type ActivityDto,
  type AlertDto,
  type IngestResultDto,
  type MetricDto,
  type ProcessDto,
  type TelemetryKind,
} from '@app/contracts';
import { MetricsService, pgPoolOf, withTransaction } from '@app/platform';
import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { DevicesConfig } from '../config/devices.config';
import { ForwardingService } from '../forwarding/forwarding.service';
import { DeviceRegistry } from '../registration/device-registry.service';
import { GroupCommitter } from './group-commit';
import { batchInsert, UPSERT_PROCESS_SNAPSHOT } from './telemetry.sql';

interface IngestJob {
  table: TelemetryKind;
  deviceid: string;
  requestId: string;
  rows: Record<string, unknown>[];
}

type TelemetryDto = MetricDto | ActivityDto | AlertDto;

/**
 * Stores telemetry and its outbox entries in one transaction and answers only after commit.
 * Append-only records go through group commit; a process snapshot is a single upsert.
 */
@Injectable()
export class TelemetryIngestService {
  private readonly pool: Pool;
  private readonly committer: GroupCommitter<IngestJob, IngestResultDto>;
  private readonly ingested;

  constructor(
    config: DevicesConfig,
    dataSource: DataSource,
    metrics: MetricsService,
    private readonly forwarding: ForwardingService,
    private readonly registry: DeviceRegistry,
  ) {
    this.pool = pgPoolOf(dataSource);
    this.ingested = metrics.counter('ingest_records_total', 'Telemetry records received', [
      'data_type',
      'result',
    ]);
    this.committer = new GroupCommitter((jobs) => this.writeGroup(jobs), {
      maxRows: config.INGEST_GROUP_MAX_ROWS,
      // Leave pooled connections for the relay, registration and reads.
      maxConcurrent: Math.max(1, Math.floor(config.DATABASE_POOL_SIZE / 3)),
      rowsOf: (job) => job.rows.length,
    });
  }

  async ingest(
    table: TelemetryKind,
    deviceid: string,
    records: TelemetryDto[],
    requestId: string,
  ): Promise<IngestResultDto> {
    await this.registry.assertRegistered(deviceid);
    const receivedAt = new Date().toISOString();
    const rows = records.map((record) => toRow(table, deviceid, record, receivedAt));
    const result = await this.committer.submit({ table, deviceid, requestId, rows });
    this.registry.touch(deviceid);
    this.forwarding.kick();
    this.ingested.inc({ data_type: table, result: 'stored' }, result.stored);
    if (result.duplicates > 0)
      this.ingested.inc({ data_type: table, result: 'duplicate' }, result.duplicates);
    return result;
  }

  async ingestProcesses(
    deviceid: string,
    processes: ProcessDto[],
    requestId: string,
  ): Promise<IngestResultDto> {
    await this.registry.assertRegistered(deviceid);
    const ts = latestTimestamp(processes) ?? new Date().toISOString();
    const id = snapshotId(deviceid, processes);
    const items = processes.map(({ id: _id, timestamp: _ts, ...fields }) => fields);
    const applied = await withTransaction(this.pool, async (client) => {
      const result = await client.query(UPSERT_PROCESS_SNAPSHOT, [
        deviceid,
        id,
        ts,
        JSON.stringify(items),
      ]);
      if (result.rowCount === 0) return false;
      await this.forwarding.enqueue(client, 'processes', [
        { recordId: id, requestId, payload: { id, deviceid, timestamp: ts, processes: items } },
      ]);
      return true;
    });
    this.registry.touch(deviceid);
    this.forwarding.kick();
    this.ingested.inc({ data_type: 'processes', result: applied ? 'stored' : 'duplicate' });
    return {
      status: 'ok',
      count: processes.length,
      stored: applied ? 1 : 0,
      duplicates: applied ? 0 : 1,
      ids: [id],
    };
  }

  private async writeGroup(jobs: IngestJob[]): Promise<IngestResultDto[]> {
    return withTransaction(this.pool, async (client) => {
      const inserted = new Set<string>();
      for (const table of TELEMETRY_KINDS) {
        const tableJobs = jobs.filter((job) => job.table === table);
        if (tableJobs.length === 0) continue;
        const rows = tableJobs.flatMap((job) => job.rows);
        const { text, values } = batchInsert(table, rows);
        const result = await client.query<{ id: string }>(text, values);
        const fresh = new Set(result.rows.map((row) => row.id));
        for (const id of fresh) inserted.add(id);
        const messages = tableJobs.flatMap((job) =>
          job.rows
            .filter((row) => fresh.has(row.id as string))
            .map((row) => ({
              recordId: row.id as string,
              requestId: job.requestId,
              payload: toPayload(row),
            })),
        );
        await this.forwarding.enqueue(client, table, messages);
      }
      return jobs.map((job) => {
        const ids = job.rows.map((row) => row.id as string);
        const stored = new Set(ids.filter((id) => inserted.has(id))).size;
        return {
          status: 'ok' as const,
          count: ids.length,
          stored,
          duplicates: ids.length - stored,
          ids,
        };
      });
    });
  }
}

function toRow(
  table: TelemetryKind,
  deviceid: string,
  record: TelemetryDto,
  receivedAt: string,
): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: record.id ?? randomUUID(),
    deviceid,
    ts: record.timestamp ? new Date(record.timestamp).toISOString() : receivedAt,
  };
  const source = record as unknown as Record<string, unknown>;
  for (const column of TELEMETRY_FIELD_COLUMNS[table]) {
    if (source[column.name] !== undefined) row[column.name] = source[column.name];
  }
  return row;
}

/** The forwarded shape: the stored row with `ts` under its wire name. */
function toPayload(row: Record<string, unknown>): Record<string, unknown> {
  const { ts, ...rest } = row;
  return { ...rest, timestamp: ts };
}

function latestTimestamp(processes: ProcessDto[]): string | undefined {
  const times = processes
    .map((p) => p.timestamp)
    .filter((t): t is string => !!t)
    .map((t) => Date.parse(t));
  return times.length > 0 ? new Date(Math.max(...times)).toISOString() : undefined;
}

/**
 * A snapshot has no id of its own on the wire (it is an array of processes). When the agent
 * gave every process an id, the snapshot id is derived from them, so resending the same
 * snapshot is recognised as a retry; otherwise each snapshot is new.
 */
function snapshotId(deviceid: string, processes: ProcessDto[]): string {
  if (processes.length === 0 || processes.some((p) => !p.id)) return randomUUID();
  const hash = createHash('sha256').update(deviceid);
  for (const p of processes) hash.update('\0').update(p.id!);
  const hex = hash.digest('hex');
  // Shape the hash as an RFC 4122 version-5-style UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
