import type { DataType, ExportPage } from '@app/contracts';
import { errorBody, SqlPool } from '@app/platform';
import { BadRequestException, Injectable } from '@nestjs/common';
import { DevicesConfig } from '../config/devices.config';
import { compareCursor, decodeCursor, encodeCursor, type ExportCursor } from './export-cursor';
import { EXPORT_HORIZON, EXPORT_SOURCES, exportQuery, type ExportSource } from './export.sql';

interface Row {
  tx: string;
  key: string;
  record: Record<string, unknown>;
}

/**
 * The pull path: pages of everything stored, in commit-safe order, for the mentor to
 * reconcile with. Types switched off with FORWARD_* are not exported either.
 */
@Injectable()
export class ExportService {
  private readonly sources: ExportSource[];

  constructor(
    config: DevicesConfig,
    private readonly pool: SqlPool,
  ) {
    const enabled: Partial<Record<DataType, boolean>> = {
      metrics: config.FORWARD_METRICS,
      activities: config.FORWARD_ACTIVITIES,
      alerts: config.FORWARD_ALERTS,
      processes: config.FORWARD_PROCESSES,
    };
    this.sources = EXPORT_SOURCES.filter((source) => enabled[source.type] !== false);
  }

  async page(since: string | undefined, limit: number): Promise<ExportPage> {
    const cursor = since === undefined ? undefined : decodeCursor(since);
    if (since !== undefined && !cursor) {
      throw new BadRequestException(
        errorBody(400, 'since is not a cursor of this feed', [
          { field: 'since', errors: ['unknown cursor'] },
        ]),
      );
    }
    const { rows: horizonRows } = await this.pool.query<{ horizon: string; at: Date }>(
      EXPORT_HORIZON,
    );
    const { horizon, at } = horizonRows[0];
    const candidates = (
      await Promise.all(this.sources.map((source) => this.read(source, cursor, horizon, limit + 1)))
    ).flat();
    candidates.sort((a, b) => compareCursor(a.position, b.position));
    const taken = candidates.slice(0, limit);
    const last = taken.at(-1)?.position ?? cursor;
    return {
      records: taken.map((c) => ({ type: c.type, record: c.record })),
      hasMore: candidates.length > limit,
      lastSyncTime: at.toISOString(),
      cursor: last ? encodeCursor(last) : null,
    };
  }

  private async read(
    source: ExportSource,
    cursor: ExportCursor | undefined,
    horizon: string,
    limit: number,
  ): Promise<{ type: DataType; position: ExportCursor; record: Record<string, unknown> }[]> {
    const { text, values } = exportQuery(
      source,
      cursor && { tx: cursor.tx.toString(), rank: cursor.rank, key: cursor.key },
      horizon,
      limit,
    );
    const { rows } = await this.pool.query<Row>(text, values);
    return rows.map((row) => ({
      type: source.type,
      position: { tx: BigInt(row.tx), rank: source.rank, key: row.key },
      record: row.record,
    }));
  }
}
