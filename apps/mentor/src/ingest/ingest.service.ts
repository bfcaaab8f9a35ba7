import {
  TELEMETRY_FIELD_COLUMNS,
  type DataType,
  type ForwardedDeviceDto,
  type ForwardedProcessSnapshotDto,
  type TelemetryKind,
} from '@app/contracts';
import { MetricsService, SqlPool, withTransaction } from '@app/platform';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { eventsFor, publishEvents } from '../events/event-publisher';
import {
  COUNT_NEW_ALERTS,
  insertRecords,
  METRIC_FIELD_NAMES,
  METRICS_TAIL,
  TOUCH_DEVICES,
  UPSERT_DEVICE,
  UPSERT_PROCESS_SNAPSHOT,
} from './ingest.sql';

export interface IngestOutcome {
  received: number;
  stored: number;
  duplicates: number;
}

interface ForwardedRecord {
  id: string;
  deviceid: string;
  timestamp: string;
}

/**
 * Stores what the Devices service forwards. Each request is one transaction; records keep
 * their devices-side ids, so a redelivery is absorbed (and counted) instead of duplicated.
 */
@Injectable()
export class IngestService {
  private readonly received;
  private readonly duplicates;

  constructor(
    private readonly pool: SqlPool,
    metrics: MetricsService,
  ) {
    this.received = metrics.counter('mentor_ingest_records_total', 'Forwarded records received', [
      'data_type',
    ]);
    this.duplicates = metrics.counter(
      'mentor_duplicates_absorbed_total',
      'Redelivered records that changed nothing',
      ['data_type'],
    );
  }

  async ingestRecords(kind: TelemetryKind, records: ForwardedRecord[]): Promise<IngestOutcome> {
    const rows = records.map((record) => {
      const source = record as unknown as Record<string, unknown>;
      const row: Record<string, unknown> = {
        id: record.id,
        deviceid: record.deviceid,
        ts: record.timestamp,
      };
      for (const column of TELEMETRY_FIELD_COLUMNS[kind]) row[column.name] = source[column.name];
      return row;
    });
    const stored = await withTransaction(this.pool, async (client) => {
      const { text, values } = insertRecords(kind, rows);
      const result = await client.query<{ id: string }>(text, values);
      const fresh = new Set(result.rows.map((row) => row.id));
      const count = fresh.size;
      // Each new record once, even if a batch carried the same one twice.
      const isNew = records.map((record) => fresh.delete(record.id));
      const stored = records.filter((_record, i) => isNew[i]) as unknown as Record<
        string,
        unknown
      >[];
      await publishEvents(client, eventsFor(kind, stored, kind === 'metrics' ? 'newest' : 'all'));
      // The rows concurrent batches of the same devices also lock come last (rollups, alert
      // counts, device rows): each batch waits for another only through its commit. Taken
      // first, the relay's concurrent batches queued behind each other for the whole
      // transaction, and a long drain waited on locks with the cores idle (bench/README.md).
      if (kind === 'metrics') await this.finishMetrics(client, rows, isNew);
      else {
        if (kind === 'alerts') await this.countNewAlerts(client, stored);
        await this.touch(client, records);
      }
      return count;
    });
    return this.count(kind, records.length, stored);
  }

  async ingestDevices(devices: ForwardedDeviceDto[]): Promise<IngestOutcome> {
    // Oldest first, so a batch holding two versions of a device ends on the newest.
    const ordered = [...devices].sort(
      (a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at),
    );
    const stored = await withTransaction(this.pool, async (client) => {
      const applied: ForwardedDeviceDto[] = [];
      for (const d of ordered) {
        const result = await client.query(UPSERT_DEVICE, [
          d.deviceid,
          d.device_name ?? null,
          d.device_type ?? null,
          d.os ?? null,
          d.device_location ?? null,
          d.ip_address ?? null,
          d.mac_address ?? null,
          d.current_user ?? null,
          d.registered_at,
          d.updated_at,
        ]);
        if (result.rowCount) applied.push(d);
      }
      const facts = applied as unknown as Record<string, unknown>[];
      await publishEvents(client, eventsFor('device', facts, 'newest', 'updated_at'));
      return applied.length;
    });
    return this.count('device', devices.length, stored);
  }

  async ingestProcessSnapshots(snapshots: ForwardedProcessSnapshotDto[]): Promise<IngestOutcome> {
    const ordered = [...snapshots].sort(
      (a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp),
    );
    const stored = await withTransaction(this.pool, async (client) => {
      const applied: ForwardedProcessSnapshotDto[] = [];
      for (const s of ordered) {
        const result = await client.query(UPSERT_PROCESS_SNAPSHOT, [
          s.deviceid,
          s.id,
          s.timestamp,
          JSON.stringify(s.processes),
        ]);
        if (result.rowCount) applied.push(s);
      }
      await this.touch(client, snapshots);
      const fresh = applied as unknown as Record<string, unknown>[];
      await publishEvents(client, eventsFor('processes', fresh, 'newest'));
      return applied.length;
    });
    return this.count('processes', snapshots.length, stored);
  }

  private async touch(client: PoolClient, records: ForwardedRecord[]): Promise<void> {
    const latest = new Map<string, number>();
    for (const r of records) {
      const t = Date.parse(r.timestamp);
      latest.set(r.deviceid, Math.max(latest.get(r.deviceid) ?? 0, t));
    }
    // Sorted ids take row locks in one order, so concurrent batches cannot deadlock.
    const ids = [...latest.keys()].sort();
    await client.query(TOUCH_DEVICES, [
      ids,
      ids.map((id) => new Date(latest.get(id)!).toISOString()),
    ]);
  }

  private async countNewAlerts(
    client: PoolClient,
    alerts: Record<string, unknown>[],
  ): Promise<void> {
    const counts = new Map<string, number>();
    for (const alert of alerts) {
      const key = `${String(alert.deviceid)}\u0000${String(alert.level)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    // Sorted keys take row locks in one order, so concurrent batches cannot deadlock.
    const keys = [...counts.keys()].sort();
    await client.query(COUNT_NEW_ALERTS, [
      keys.map((k) => k.split('\u0000')[0]),
      keys.map((k) => k.split('\u0000')[1]),
      keys.map((k) => counts.get(k)),
    ]);
  }

  /** Rollups of the fresh samples and the device rows, in one statement (see METRICS_TAIL). */
  private async finishMetrics(
    client: PoolClient,
    rows: Record<string, unknown>[],
    isNew: boolean[],
  ): Promise<void> {
    await client.query(METRICS_TAIL, [
      rows.map((r) => r.deviceid),
      rows.map((r) => r.ts),
      isNew,
      ...METRIC_FIELD_NAMES.map((field) => rows.map((r) => r[field] ?? null)),
    ]);
  }

  private count(type: DataType, received: number, stored: number): IngestOutcome {
    this.received.inc({ data_type: type }, received);
    if (received > stored) this.duplicates.inc({ data_type: type }, received - stored);
    return { received, stored, duplicates: received - stored };
  }
}
