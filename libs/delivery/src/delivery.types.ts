/**
 * The contract of the durable delivery engine shared by forwarding (devices -> mentor),
 * commands (mentor -> devices) and webhooks. Callers write messages into the outbox inside
 * their own transaction; a relay per channel claims due rows, hands them to a transport and
 * records the outcome.
 */

/** Anything that runs parameterised SQL the way node-postgres does (a Pool or a PoolClient). */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * A message to enqueue. `recordId` is the id the receiver stores the record under. A bundle
 * (`bundle: true`) carries several records of its topic in one row (see outbox-bundle.ts): its
 * payload is their array and `recordId` names the first; `requestId` may then list several
 * request ids separated by commas.
 */
export interface OutboxMessage {
  channel: string;
  topic: string;
  recordId: string;
  payload: unknown;
  requestId?: string | null;
  bundle?: boolean;
}

/** A row the relay has claimed and is about to send. */
export interface ClaimedMessage {
  id: string;
  channel: string;
  topic: string;
  recordId: string;
  payload: unknown;
  requestId: string | null;
  /** Attempts including the one in progress. */
  attempts: number;
  createdAt: Date;
  /** Records in a bundle (its payload is their array); null for a message of one record. */
  bundleSize: number | null;
}

export type SendOutcome =
  | { kind: 'delivered' }
  /** Worth retrying later: network error, timeout, 5xx, 429, 408. */
  | {
      kind: 'transient';
      reason: string;
      retryAfterMs?: number;
      /**
       * Ids of the request's messages that did get through (a transport that sends its
       * messages one by one): they are delivered, only the others are retried.
       */
      delivered?: string[];
    }
  /** Retrying cannot help (400, 401, 403, 404, 413, 422): the message becomes a dead letter. */
  | { kind: 'permanent'; reason: string; status?: number };

export interface DeliveryTransport {
  /**
   * Sends messages that share one topic as one request (bundles contributing all their records,
   * see recordsOf) and reports the outcome for all of them. Must not throw: failures are outcomes. Must respect its own request timeout.
   */
  send(topic: string, messages: ClaimedMessage[]): Promise<SendOutcome>;
}

export interface ChannelHooks {
  onDelivered?(topic: string, count: number): void;
  onFailed?(topic: string, count: number, outcome: SendOutcome): void;
  onDeadLettered?(topic: string, count: number, reason: string): void;
}

export interface ChannelOptions {
  channel: string;
  transport: DeliveryTransport;
  hooks?: ChannelHooks;
  /** Records claimed per round, and at most sent per request (a larger bundle goes alone). */
  batchSize?: number;
  /** Claim/send loops running at once in this process. */
  concurrency?: number;
  /**
   * Requests one claim/send round keeps in flight at once (topics, and rows that go out alone
   * after a refused batch or a replay). Default 8.
   */
  requestConcurrency?: number;
  /** Failed attempts retried on the quick schedule base, 2*base, 4*base... */
  quickRetries?: number;
  quickRetryBaseMs?: number;
  /** Cap of the exponential, jittered backoff after the quick retries. */
  maxBackoffMs?: number;
  /** Age after which a still-failing message becomes a dead letter. */
  deadLetterAfterMs?: number;
  /** How long a claim is held before another relay may take the row (crash safety). */
  leaseMs?: number;
  /** Idle poll interval when no in-process kick arrives. */
  pollIntervalMs?: number;
  /** While messages wait in backoff, how often the oldest one is tried as a canary. */
  probeIntervalMs?: number;
  /** Who receives this channel, as failure reports name it (default: the channel's name). */
  receiver?: ReceiverInfo;
  /**
   * What a canary that gets through makes due again: every waiting row of the channel (one
   * receiver), or only those of its topic (a channel whose topics are separate receivers, so
   * one receiver's recovery does not cut another's backoff short). Default `channel`.
   */
  probeScope?: 'channel' | 'topic';
}

/** The receiver as logs and health name it, with the settings an operator would check. */
export interface ReceiverInfo {
  name: string;
  /** The setting holding the credential it checks (named when it refuses with 401/403). */
  credentialSetting?: string;
  /** The setting holding its address (named when it answers 404). */
  urlSetting?: string;
}

/**
 * A channel's delivery state: `ok`; `degraded` while the receiver fails or refuses our
 * credential or address (records wait, or become dead letters); `failing` while our own
 * database fails during delivery rounds. `side` names who failed. Each relay instance knows
 * only its own rounds.
 */
export interface DeliveryHealth {
  state: 'ok' | 'degraded' | 'failing';
  side: string | null;
  reason: string | null;
  since: Date | null;
  /** Failed attempts since `since` (for a refused credential: records dead-lettered). */
  failures: number;
}

/** What the relay logs through; Nest's Logger fits as is. */
export interface RelayLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

export interface DeadLetter {
  id: string;
  topic: string;
  recordId: string;
  attempts: number;
  createdAt: Date;
  deadAt: Date;
  reason: string;
  payload: unknown;
}

export interface BacklogStats {
  channel: string;
  pending: number;
  oldestPendingAgeSeconds: number | null;
  deadLetters: number;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastError: string | null;
}

export interface ReplaySelector {
  ids?: string[];
  topic?: string;
  all?: boolean;
}
