import type { DeliveryHealth, ReceiverInfo, RelayLogger, SendOutcome } from './delivery.types';

/** While a problem lasts, at most one report per this interval (plus its end). */
export const REPORT_INTERVAL_MS = 60_000;

/** Why a receiver refused a request for good, which decides who has to act. */
export type RefusalKind = 'auth' | 'config' | 'data';

/** 401/403: our credential; 404: where we send; anything else: the record itself. */
export function refusalKind(outcome: { status?: number }): RefusalKind {
  if (outcome.status === 401 || outcome.status === 403) return 'auth';
  if (outcome.status === 404) return 'config';
  return 'data';
}

/** One ongoing problem: when it began, how often it struck, and whether it was reported. */
interface Episode {
  since: number;
  reason: string;
  /** Failed attempts (for a refusal: records dead-lettered) in all. */
  count: number;
  /** Of those, how many since the last report. */
  unreported: number;
  /** Whether anything was said about it; an episode never reported also ends silently. */
  reported: boolean;
}

type EpisodeKey = 'receiver' | 'refusal' | 'database';

/**
 * Watches one channel's outcomes and says, on the logger and in `health()`, which side fails:
 * the receiver (unreachable, 5xx, timeouts: records wait and are retried), the receiver
 * refusing our credential or address (records become dead letters until someone fixes the
 * configuration), or our own database (the relay can neither claim nor record anything).
 * Reports are rate-limited: a problem's start, then at most one line per interval with a
 * count, then its end once; a log full of identical lines hides the one that matters.
 */
export class DeliveryMonitor {
  private readonly episodes: Partial<Record<EpisodeKey, Episode>> = {};
  private readonly lastReportAt: Record<EpisodeKey | 'data', number> = {
    receiver: -Infinity,
    refusal: -Infinity,
    database: -Infinity,
    data: -Infinity,
  };
  private unreportedDataRefusals = 0;

  constructor(
    private readonly channel: string,
    private readonly receiver: ReceiverInfo,
    private readonly logger: RelayLogger,
    private readonly reportIntervalMs = REPORT_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A request got a 2xx: the receiver is reachable and accepts our credential and address. */
  delivered(): void {
    const down = this.end('receiver');
    if (down?.reported) {
      this.logger.warn(
        `${this.channel}: delivery to ${this.receiver.name} recovered after ` +
          `${this.secondsSince(down.since)} s and ${down.count} failed attempt(s)`,
      );
    }
    const refusal = this.end('refusal');
    if (refusal?.reported) {
      this.logger.warn(
        `${this.channel}: ${this.receiver.name} accepts our requests again ` +
          `(${refusal.count} record(s) were dead-lettered meanwhile; replay them)`,
      );
    }
  }

  /** A transient failure on the receiver's side: the records wait and are retried. */
  receiverFailed(reason: string): void {
    const episode = this.note('receiver', reason, 1);
    if (!this.mayReport('receiver')) return;
    const name = this.receiver.name;
    this.logger.warn(
      episode.reported
        ? `${this.channel}: delivery to ${name} still failing after ` +
            `${this.secondsSince(episode.since)} s (${episode.unreported} failed attempt(s) ` +
            `since the last report, ${episode.count} in all): ${reason}`
        : `${this.channel}: delivery to ${name} is failing on the ${name} side: ${reason}; ` +
            `records wait in the outbox and are retried`,
    );
    this.reported(episode);
  }

  /**
   * A permanent answer. A refused credential or address is an error someone must fix: every
   * record sent meanwhile becomes a dead letter. A refused record (400, 413, 422) is that
   * record's problem: a warning, and the channel's state does not change.
   */
  refused(outcome: Extract<SendOutcome, { kind: 'permanent' }>, deadLettered: number): void {
    const kind = refusalKind(outcome);
    if (kind === 'data') {
      this.unreportedDataRefusals += deadLettered;
      if (this.unreportedDataRefusals === 0 || !this.mayReport('data')) return;
      this.logger.warn(
        `${this.channel}: ${this.unreportedDataRefusals} record(s) refused by ` +
          `${this.receiver.name} and dead-lettered: ${outcome.reason}`,
      );
      this.unreportedDataRefusals = 0;
      return;
    }
    const episode = this.note('refusal', this.refusalReason(kind, outcome.reason), deadLettered);
    if (episode.unreported === 0 || !this.mayReport('refusal')) return;
    this.logger.error(
      `${this.channel}: ${episode.unreported} record(s) dead-lettered (${episode.count} since ` +
        `${new Date(episode.since).toISOString()}): ${episode.reason}`,
    );
    this.reported(episode);
  }

  /** Records still failing after the dead-letter age were given up on. */
  expired(count: number, reason: string): void {
    this.logger.error(`${this.channel}: ${count} record(s) dead-lettered: ${reason}`);
  }

  /** Our own database failed while the relay claimed, recorded or probed. */
  databaseFailed(err: unknown, during: string): void {
    const message = err instanceof Error ? err.message : String(err);
    const reason = `own database failed while ${during} (not ${this.receiver.name}): ${message}`;
    const episode = this.note('database', reason, 1);
    if (!this.mayReport('database')) return;
    this.logger.error(
      episode.reported
        ? `${this.channel}: delivery still paused after ${this.secondsSince(episode.since)} s ` +
            `(${episode.unreported} failure(s) since the last report): ${reason}`
        : `${this.channel}: delivery paused: ${reason}; retrying`,
      episode.reported || !(err instanceof Error) ? undefined : err.stack,
    );
    this.reported(episode);
  }

  /** A round ran without a database error. */
  databaseWorked(): void {
    const down = this.end('database');
    if (down?.reported) {
      this.logger.warn(
        `${this.channel}: own database is back after ${this.secondsSince(down.since)} s; ` +
          `delivery resumes`,
      );
    }
  }

  /**
   * `failing`: our side cannot deliver at all (its own database); `degraded`: the receiver is
   * down, or refuses our credential or address; `ok` otherwise.
   */
  health(): DeliveryHealth {
    const { database, refusal, receiver } = this.episodes;
    const at = (e: Episode) => ({
      reason: e.reason,
      since: new Date(e.since),
      failures: e.count,
    });
    if (database) return { state: 'failing', side: 'own database', ...at(database) };
    if (refusal) return { state: 'degraded', side: this.receiver.name, ...at(refusal) };
    if (receiver) {
      const reason = `${this.receiver.name} failing: ${receiver.reason}`;
      return { state: 'degraded', side: this.receiver.name, ...at(receiver), reason };
    }
    return { state: 'ok', side: null, reason: null, since: null, failures: 0 };
  }

  private refusalReason(kind: RefusalKind, reason: string): string {
    const { name, credentialSetting, urlSetting } = this.receiver;
    if (kind === 'auth') {
      const hint = credentialSetting ? `; check ${credentialSetting} on both services` : '';
      return `${name} refused our credential: ${reason}${hint}`;
    }
    const hint = urlSetting ? `; check ${urlSetting}` : '';
    return `${name} has no such endpoint: ${reason}${hint}`;
  }

  private note(key: EpisodeKey, reason: string, count: number): Episode {
    const episode = (this.episodes[key] ??= {
      since: this.now(),
      reason,
      count: 0,
      unreported: 0,
      reported: false,
    });
    episode.reason = reason;
    episode.count += count;
    episode.unreported += count;
    return episode;
  }

  private end(key: EpisodeKey): Episode | undefined {
    const episode = this.episodes[key];
    delete this.episodes[key];
    return episode;
  }

  private reported(episode: Episode): void {
    episode.reported = true;
    episode.unreported = 0;
  }

  /** At most one report of a kind per interval, across episodes too (a flapping peer). */
  private mayReport(kind: EpisodeKey | 'data'): boolean {
    const at = this.now();
    if (at - this.lastReportAt[kind] < this.reportIntervalMs) return false;
    this.lastReportAt[kind] = at;
    return true;
  }

  private secondsSince(since: number): number {
    return Math.round((this.now() - since) / 1000);
  }
}
