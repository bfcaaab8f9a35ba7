import type {
  BacklogStats,
  ClaimedMessage,
  DeadLetter,
  ReplaySelector,
  SqlExecutor,
} from './delivery.types';
import * as sql from './outbox.sql';

/** A claimed row plus what only the relay needs to know about it. */
export interface ClaimedRow extends ClaimedMessage {
  /** Must be sent in a request of its own (replayed, or split out of a refused batch). */
  solo: boolean;
}

interface ClaimedDbRow {
  id: string;
  channel: string;
  topic: string;
  record_id: string;
  payload: unknown;
  request_id: string | null;
  attempts: number;
  solo: boolean;
  created_at: Date;
  bundle_size: number | null;
}

interface DeadDbRow {
  id: string;
  topic: string;
  record_id: string;
  attempts: number;
  created_at: Date;
  dead_at: Date;
  dead_reason: string | null;
  payload: unknown;
}

interface StatsDbRow {
  pending: number;
  oldest_pending_age_seconds: number | null;
  dead_letters: number;
  last_success_at: Date | null;
  last_error_at: Date | null;
  last_error: string | null;
}

/** A per-row delay for a transient failure. */
export interface Reschedule {
  id: string;
  delayMs: number;
}

/**
 * The relay's queries for one channel, run as one relay instance (`claimer`). Thin by design:
 * the SQL lives in outbox.sql.ts, this class only binds parameters and maps rows.
 */
export class OutboxStore {
  constructor(
    private readonly db: SqlExecutor,
    private readonly channel: string,
    private readonly claimer: string,
  ) {}

  /**
   * Up to `rowLimit` rows and `recordLimit` records: rows in order while their records fit, and
   * always the first.
   */
  async claimDue(rowLimit: number, recordLimit: number, leaseMs: number): Promise<ClaimedRow[]> {
    const { rows } = await this.db.query<ClaimedDbRow>(sql.CLAIM_DUE, [
      this.channel,
      rowLimit,
      leaseMs,
      this.claimer,
      recordLimit,
    ]);
    return sortById(rows.map(toClaimed));
  }

  async claimCanary(probeIntervalMs: number, leaseMs: number): Promise<ClaimedRow | undefined> {
    const { rows } = await this.db.query<ClaimedDbRow>(sql.CLAIM_CANARY, [
      this.channel,
      probeIntervalMs,
      leaseMs,
      this.claimer,
    ]);
    return rows.length > 0 ? toClaimed(rows[0]) : undefined;
  }

  async markDelivered(ids: string[]): Promise<void> {
    await this.db.query(sql.DELETE_DELIVERED, [this.channel, ids]);
  }

  /** Returns how many of the rows became dead letters because they were too old. */
  async reschedule(
    rows: Reschedule[],
    error: string,
    deadLetterAfterMs: number,
    deadReason: string,
  ): Promise<number> {
    const result = await this.db.query<{ dead: number }>(sql.RESCHEDULE_FAILED, [
      this.channel,
      error,
      rows.map((r) => r.id),
      rows.map((r) => Math.round(r.delayMs)),
      deadLetterAfterMs,
      deadReason,
      this.claimer,
    ]);
    return result.rows[0]?.dead ?? 0;
  }

  async splitIntoSolo(ids: string[], error: string): Promise<void> {
    await this.db.query(sql.SPLIT_INTO_SOLO, [this.channel, error, ids, this.claimer]);
  }

  /** Splits bundles among `ids` that just became dead letters into one per record. */
  async splitDeadBundles(ids: string[]): Promise<void> {
    await this.db.query(sql.SPLIT_DEAD_BUNDLES, [ids, this.claimer]);
  }

  async deadLetter(ids: string[], reason: string): Promise<void> {
    await this.db.query(sql.DEAD_LETTER, [this.channel, reason, ids, this.claimer]);
  }

  /** Everything waiting in backoff becomes due: the channel's rows, or only `topic`'s. */
  async resumeWaiting(topic?: string): Promise<number> {
    const { rowCount } = await this.db.query(sql.RESUME_WAITING, [this.channel, topic ?? null]);
    return rowCount ?? 0;
  }

  async releaseClaims(): Promise<number> {
    const { rowCount } = await this.db.query(sql.RELEASE_CLAIMS, [this.claimer]);
    return rowCount ?? 0;
  }

  async replay(selector: ReplaySelector): Promise<number> {
    const ids = selector.ids ?? null;
    const topic = selector.topic ?? null;
    const { rowCount } = await this.db.query(sql.REPLAY_DEAD, [this.channel, ids, topic]);
    return rowCount ?? 0;
  }

  async listDeadLetters(limit: number, beforeId?: string, topic?: string): Promise<DeadLetter[]> {
    const { rows } = await this.db.query<DeadDbRow>(sql.LIST_DEAD, [
      this.channel,
      limit,
      beforeId ?? null,
      topic ?? null,
    ]);
    return rows.map((r) => ({
      id: String(r.id),
      topic: r.topic,
      recordId: r.record_id,
      attempts: r.attempts,
      createdAt: r.created_at,
      deadAt: r.dead_at,
      reason: r.dead_reason ?? '',
      payload: r.payload,
    }));
  }

  async stats(): Promise<BacklogStats> {
    const { rows } = await this.db.query<StatsDbRow>(sql.BACKLOG_STATS, [this.channel]);
    const r = rows[0];
    return {
      channel: this.channel,
      pending: r?.pending ?? 0,
      oldestPendingAgeSeconds: r?.oldest_pending_age_seconds ?? null,
      deadLetters: r?.dead_letters ?? 0,
      lastSuccessAt: r?.last_success_at ?? null,
      lastErrorAt: r?.last_error_at ?? null,
      lastError: r?.last_error ?? null,
    };
  }
}

function toClaimed(r: ClaimedDbRow): ClaimedRow {
  return {
    // bigint arrives as a string from node-postgres; keep it one so ids never lose precision.
    id: String(r.id),
    channel: r.channel,
    topic: r.topic,
    recordId: r.record_id,
    payload: r.payload,
    requestId: r.request_id,
    attempts: r.attempts,
    solo: r.solo,
    createdAt: r.created_at,
    bundleSize: r.bundle_size,
  };
}

/** UPDATE ... RETURNING has no defined order; send oldest first. */
function sortById(rows: ClaimedRow[]): ClaimedRow[] {
  return rows.sort((a, b) =>
    BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0,
  );
}
