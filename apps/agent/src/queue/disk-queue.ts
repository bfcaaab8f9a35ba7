import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NewQueueItem, QueueItem, QueueKind, QueueLane } from './queue-item';

export interface DiskQueueOptions {
  /** Items kept at most; past it the oldest are dropped and counted. */
  maxItems: number;
  /**
   * FULL (the default) fsyncs every commit, so a power cut keeps what was queued; NORMAL
   * survives a crashed process but may lose the last commits on a power cut.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

interface Row {
  seq: number;
  deviceid: string;
  kind: QueueKind;
  record_id: string;
  body: string;
  blob: Buffer | null;
  created_at: number;
}

/**
 * The agent's outbox: SQLite in WAL mode. Every push is one transaction, so a crash or a torn
 * write leaves either the whole push or none of it; an item leaves only when acknowledged.
 */
export class DiskQueue {
  private readonly db: Database.Database;
  private count: number;
  private readonly insert: Database.Statement;
  private readonly remove: Database.Statement;
  private readonly supersede: Database.Statement;
  private readonly trim: Database.Statement;
  private readonly readMeta: Database.Statement;
  private readonly addMeta: Database.Statement;

  constructor(
    readonly file: string,
    private readonly options: DiskQueueOptions,
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        deviceid TEXT NOT NULL,
        kind TEXT NOT NULL,
        record_id TEXT NOT NULL,
        body TEXT NOT NULL,
        blob BLOB,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS queue_lane ON queue (deviceid, kind, seq);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.insert = this.db.prepare(
      `INSERT INTO queue (deviceid, kind, record_id, body, blob, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.remove = this.db.prepare('DELETE FROM queue WHERE seq = ?');
    this.supersede = this.db.prepare('DELETE FROM queue WHERE deviceid = ? AND kind = ?');
    this.trim = this.db.prepare(
      'DELETE FROM queue WHERE seq IN (SELECT seq FROM queue ORDER BY seq LIMIT ?)',
    );
    this.readMeta = this.db.prepare('SELECT value FROM meta WHERE key = ?');
    this.addMeta = this.db.prepare(
      `INSERT INTO meta (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = value + excluded.value`,
    );
    this.count = (this.db.prepare('SELECT count(*) AS n FROM queue').get() as { n: number }).n;
  }

  /** Items waiting. */
  get size(): number {
    return this.count;
  }

  /** Items dropped past the size cap since the queue was made. */
  get droppedTotal(): number {
    return this.meta('dropped_total');
  }

  /** Dropped items not yet reported to the server. */
  get droppedUnreported(): number {
    return this.meta('dropped_unreported');
  }

  /**
   * Adds items in one transaction and drops the oldest past the cap; returns how many were
   * dropped. `reportedDrops` marks that many drops as reported in the same transaction (the
   * items carry the alert that reports them).
   */
  push(items: NewQueueItem[], reportedDrops = 0): number {
    return this.db.transaction(() => {
      const now = Date.now();
      for (const item of items) {
        if (item.replaces) this.count -= this.supersede.run(item.deviceid, item.kind).changes;
        this.insert.run(
          item.deviceid,
          item.kind,
          item.recordId,
          JSON.stringify(item.body),
          item.blob ?? null,
          now,
        );
        this.count += 1;
      }
      if (reportedDrops > 0) this.addMeta.run('dropped_unreported', -reportedDrops);
      let dropped = 0;
      if (this.count > this.options.maxItems) {
        dropped = this.trim.run(this.count - this.options.maxItems).changes;
        this.count -= dropped;
        this.addMeta.run('dropped_total', dropped);
        this.addMeta.run('dropped_unreported', dropped);
      }
      return dropped;
    })();
  }

  /** Each device and kind with items waiting, the one waiting longest first. */
  lanes(): QueueLane[] {
    return this.db
      .prepare(
        `SELECT deviceid, kind, min(seq) AS first FROM queue
         GROUP BY deviceid, kind ORDER BY first`,
      )
      .all() as QueueLane[];
  }

  /** The oldest items of one device and kind, oldest first. */
  peek(deviceid: string, kind: QueueKind, limit: number): QueueItem[] {
    const rows = this.db
      .prepare(
        `SELECT seq, deviceid, kind, record_id, body, blob, created_at FROM queue
         WHERE deviceid = ? AND kind = ? ORDER BY seq LIMIT ?`,
      )
      .all(deviceid, kind, limit) as Row[];
    return rows.map((row) => ({
      seq: row.seq,
      deviceid: row.deviceid,
      kind: row.kind,
      recordId: row.record_id,
      body: JSON.parse(row.body),
      ...(row.blob ? { blob: row.blob } : {}),
      createdAt: row.created_at,
    }));
  }

  /** Removes delivered (or refused) items. */
  ack(seqs: number[]): void {
    this.db.transaction(() => {
      for (const seq of seqs) this.count -= this.remove.run(seq).changes;
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private meta(key: string): number {
    return (this.readMeta.get(key) as { value: number } | undefined)?.value ?? 0;
  }
}
