import {
  type ActivityDto,
  type AlertDto,
  type IngestResultDto,
  type MetricDto,
  type ProcessDto,
  type TelemetryKind,
} from '@app/contracts';
import { MetricsService, SqlPool, withTransaction } from '@app/platform';
import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DevicesConfig } from '../config/devices.config';
import { ForwardingService } from '../forwarding/forwarding.service';
import { DeviceRegistry } from '../registration/device-registry.service';
import { TELEMETRY_EVENT } from '../webhooks/webhook-event-types';
import { WebhookEvents } from '../webhooks/webhook-events.service';
import { GroupCommitter } from './group-commit';
import { ingestStatement, UPSERT_PROCESS_SNAPSHOT } from './telemetry.sql';

/** One request's records, as their forwarded payloads (the stored row, `ts` as `timestamp`). */
interface IngestJob {
  requestId: string;
  records: Payload[];
}

type Payload = Record<string, unknown> & { id: string };
type TelemetryDto = MetricDto | ActivityDto | AlertDto;

/**
 * Stores telemetry and its outbox entries in one statement and answers only after its commit.
 * Append-only records go through group commit (one committer per kind, so every group is one
 * statement); a process snapshot is a single upsert.
 */
@Injectable()
export class TelemetryIngestService {
  private readonly committers: Record<TelemetryKind, GroupCommitter<IngestJob, IngestResultDto>>;
  private readonly ingested;

  constructor(
    private readonly config: DevicesConfig,
    private readonly pool: SqlPool,
    metrics: MetricsService,
    private readonly forwarding: ForwardingService,
    private readonly registry: DeviceRegistry,
    private readonly webhooks: WebhookEvents,
  ) {
    this.ingested = metrics.counter('ingest_records_total', 'Telemetry records received', [
      'data_type',
      'result',
    ]);
    const committer = (kind: TelemetryKind): GroupCommitter<IngestJob, IngestResultDto> =>
      new GroupCommitter((jobs) => this.writeGroup(kind, jobs), {
        // A forwarded group larger than one bundle leaves the statement's fast path (the bundle
        // is the input as parsed) for a dearer re-aggregation, so a group holds one bundle's
        // worth of rows at most.
        maxRows: forwarding.outboxTarget(kind)
          ? Math.min(config.INGEST_GROUP_MAX_ROWS, config.FORWARD_BATCH_SIZE)
          : config.INGEST_GROUP_MAX_ROWS,
        // Leave pooled connections for the relay, registration and reads.
        maxConcurrent: Math.max(1, Math.floor(config.DATABASE_POOL_SIZE / 6)),
        // A second statement of a kind only once a batch's worth of rows waits: many tiny
        // groups in parallel cost Devices more CPU per request than fewer, larger ones.
        parallelMinRows: 100,
        rowsOf: (job) => job.records.length,
      });
    this.committers = {
      metrics: committer('metrics'),
      activities: committer('activities'),
      alerts: committer('alerts'),
    };
    const committers = this.committers;
    metrics.gauge(
      'ingest_queued_requests',
      'Telemetry requests waiting for a database write (queued behind the one in progress)',
      ['data_type'],
      function () {
        for (const [kind, c] of Object.entries(committers)) this.set({ data_type: kind }, c.queued);
      },
    );
  }

  async ingest(
    kind: TelemetryKind,
    deviceid: string,
    records: TelemetryDto[],
    requestId: string,
  ): Promise<IngestResultDto> {
    await this.registry.assertRegistered(deviceid);
    const receivedAt = new Date().toISOString();
    const payloads = records.map((record) => toPayload(deviceid, record, receivedAt));
    const result = await this.committers[kind].submit({ requestId, records: payloads });
    this.registry.touch(deviceid);
    this.forwarding.kick();
    this.ingested.inc({ data_type: kind, result: 'stored' }, result.stored);
    if (result.duplicates > 0)
      this.ingested.inc({ data_type: kind, result: 'duplicate' }, result.duplicates);
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
      const payload = { id, deviceid, timestamp: ts, processes: items };
      await this.forwarding.enqueue(client, 'processes', [{ recordId: id, requestId, payload }]);
      await this.webhooks.emit(client, 'process.submitted', payload, requestId);
      return true;
    });
    this.registry.touch(deviceid);
    this.forwarding.kick();
    if (applied) this.webhooks.kick();
    this.ingested.inc({ data_type: 'processes', result: applied ? 'stored' : 'duplicate' });
    return {
      status: 'ok',
      count: processes.length,
      stored: applied ? 1 : 0,
      duplicates: applied ? 0 : 1,
      ids: [id],
    };
  }

  /**
   * One statement for the group. An id that occurs twice in the group (a retry racing its
   * original, or a batch repeating a record) is written once, for the first request that
   * carried it; every later occurrence counts as a duplicate.
   */
  private async writeGroup(kind: TelemetryKind, jobs: IngestJob[]): Promise<IngestResultDto[]> {
    const firstOwner = new Map<string, number>();
    const unique: Payload[] = [];
    const requestIds: string[] = [];
    jobs.forEach((job, index) => {
      for (const record of job.records) {
        if (firstOwner.has(record.id)) continue;
        firstOwner.set(record.id, index);
        unique.push(record);
        requestIds.push(job.requestId);
      }
    });
    const target = this.forwarding.outboxTarget(kind);
    // Nobody subscribed: nothing of webhooks in the statement (see WebhookSubscriptions).
    const events = this.webhooks.telemetryEvents(
      TELEMETRY_EVENT[kind],
      jobs,
      this.committers[kind].queued,
    );
    const values: unknown[] = [Buffer.from(events?.doc ?? JSON.stringify(unique))];
    if (target) {
      values.push(target.channel, target.topic, requestIds, this.config.FORWARD_BATCH_SIZE);
    }
    if (events) values.push(...events.values);
    const { rows } = await this.pool.query<{ id: string }>({
      name: `ingest-${kind}-${target ? 'forwarded' : 'local'}${events ? '-webhooks' : ''}`,
      text: ingestStatement(kind, target !== undefined, events !== undefined),
      values,
    });
    if (events) this.webhooks.kick();
    const known = new Set(rows.map((row) => row.id));
    return jobs.map((job, index) => {
      const ids = job.records.map((record) => record.id);
      let fresh = 0;
      for (const id of new Set(ids)) if (!known.has(id) && firstOwner.get(id) === index) fresh++;
      return {
        status: 'ok' as const,
        count: ids.length,
        stored: fresh,
        duplicates: ids.length - fresh,
        ids,
      };
    });
  }
}

/**
 * A record as it is stored and forwarded: its id (lower-cased, as PostgreSQL prints a uuid, so
 * an agent's upper-case id is recognised in the answer and the outbox), device, time (the
 * device's, normalised to UTC, or the receive time) and the fields it carried. The validated
 * record holds only DTO fields (the pipe dropped the rest), so it becomes the payload in place
 * rather than being copied: one object less per record on the hot path.
 */
function toPayload(deviceid: string, record: TelemetryDto, receivedAt: string): Payload {
  const payload = record as unknown as Payload;
  payload.id = record.id ? record.id.toLowerCase() : randomUUID();
  payload.deviceid = deviceid;
  payload.timestamp = record.timestamp ? new Date(record.timestamp).toISOString() : receivedAt;
  return payload;
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
