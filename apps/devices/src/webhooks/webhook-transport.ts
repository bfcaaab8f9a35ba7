import {
  OutboundHttp,
  retryDelayMs,
  type BackoffPolicy,
  type ClaimedMessage,
  type DeliveryTransport,
  type SendOutcome,
} from '@app/delivery';
import { MetricsService, SqlPool } from '@app/platform';
import { Injectable, Logger } from '@nestjs/common';
import { DevicesConfig } from '../config/devices.config';
import { guardedAgents, refusedLiteral } from './guarded-lookup';
import { WebhookAttemptLog, type Attempt } from './webhook-attempt-log';
import { WEBHOOK_FANOUT_TOPIC, WEBHOOK_TEST_EVENT } from './webhook-event-types';
import { WebhookPacer } from './webhook-pacer';
import { signWebhook } from './webhook-signer';
import { EXPAND_FANOUT, LOAD_ENDPOINT, LOAD_EVENTS } from './webhooks.sql';

/** The first bytes of an answer kept in the delivery log (and all that is read of it). */
export const RESPONSE_EXCERPT_BYTES = 1024;

interface EndpointRow {
  url: string;
  enabled: boolean;
  secret: string;
  previous_secret: string | null;
}

interface EventRow {
  id: string;
  type: string;
  data: string;
  created_at: Date;
}

/** The webhook channel's retry schedule (its relay's, and that of a fan-out's failed endpoints). */
export function webhookBackoff(config: DevicesConfig): BackoffPolicy {
  return { quickRetries: 3, quickRetryBaseMs: config.WEBHOOK_RETRY_BASE, maxBackoffMs: 300_000 };
}

/**
 * A fan-out row's payload: the type and the endpoints subscribed when its events were written.
 * Its record id is its event's id, or with `events`, that of the first of a telemetry group's
 * events `<row id>_<k>`, `<row id>_<k + 1>`, ... (webhooks.sql.ts).
 */
interface Fanout {
  type: string;
  endpoints: string[];
  events?: number;
}

/** The ids of the events a fan-out row announces. */
export function fanoutEventIds(recordId: string, events: number | undefined): string[] {
  if (events === undefined) return [recordId];
  const match = /^(.+)_([0-9]+)$/.exec(recordId);
  if (!match) throw new Error(`a group fan-out row's record id is not <row>_<k>: ${recordId}`);
  const first = Number(match[2]);
  return Array.from({ length: events }, (_, i) => `${match[1]}_${first + i}`);
}

/** One event of a claimed row, to send to one endpoint. */
interface Delivery {
  message: ClaimedMessage;
  eventId: string;
  type?: string;
}

/** An (endpoint, event) pair a fan-out could not deliver, and why. */
interface Miss {
  endpoint: string;
  event: string;
  type: string;
  error: string;
}

function failedAttempt(a: Attempt): boolean {
  return a.outcome === 'failed' || a.outcome === 'refused';
}

/**
 * Sends due events (an endpoint's, or fan-out rows' to each of their endpoints), each in a
 * request of its own signed per Standard Webhooks, through the SSRF guard, and reports which got
 * through (the others are retried on their own schedule); logs every attempt. Paced by WebhookPacer, so it never takes ingest's CPU. Any answer but a
 * 2xx is retried: a receiver's 4xx is as likely a deploy in progress as a verdict on the event.
 */
@Injectable()
export class WebhookTransport implements DeliveryTransport {
  private readonly agents;
  private readonly log: WebhookAttemptLog;

  constructor(
    private readonly http: OutboundHttp,
    private readonly pool: SqlPool,
    private readonly config: DevicesConfig,
    metrics: MetricsService,
    private readonly pacer: WebhookPacer,
  ) {
    this.agents = guardedAgents(config.WEBHOOK_ALLOW_PRIVATE);
    this.log = new WebhookAttemptLog(pool, config, metrics, new Logger(WebhookTransport.name));
  }

  async send(topic: string, messages: ClaimedMessage[]): Promise<SendOutcome> {
    if (topic === WEBHOOK_FANOUT_TOPIC) return this.fanOut(messages);
    const deliveries = messages.map((message) => ({ message, eventId: message.recordId }));
    const attempts = await this.deliverTo(topic, deliveries);
    const failed = attempts.filter(failedAttempt);
    if (failed.length === 0) return { kind: 'delivered' };
    const through = new Set(failed.map((a) => a.message.id));
    return {
      kind: 'transient',
      reason: failed[failed.length - 1].error ?? 'failed',
      delivered: messages.filter((m) => !through.has(m.id)).map((m) => m.id),
    };
  }

  /**
   * Fan-out rows: each event (one, or a telemetry group's) to every endpoint it lists,
   * endpoints side by side. A row whose events all got through (or whose endpoints are gone or
   * disabled) is done; otherwise it is replaced by rows for just the (endpoint, event) pairs
   * that failed, which retry like any endpoint's row (one webhook-id still).
   */
  private async fanOut(messages: ClaimedMessage[]): Promise<SendOutcome> {
    const byEndpoint = new Map<string, Delivery[]>();
    for (const message of messages) {
      const fanout = message.payload as Fanout;
      for (const eventId of fanoutEventIds(message.recordId, fanout.events)) {
        const delivery = { message, eventId, type: fanout.type };
        for (const endpoint of fanout.endpoints) {
          const queued = byEndpoint.get(endpoint);
          if (queued) queued.push(delivery);
          else byEndpoint.set(endpoint, [delivery]);
        }
      }
    }
    const misses = new Map<string, Miss[]>();
    await Promise.all(
      [...byEndpoint].map(async ([endpoint, mine]) => {
        for (const a of (await this.deliverTo(endpoint, mine)).filter(failedAttempt)) {
          const miss = { endpoint, event: a.eventId, type: a.type, error: a.error ?? 'failed' };
          const missed = misses.get(a.message.id);
          if (missed) missed.push(miss);
          else misses.set(a.message.id, [miss]);
        }
      }),
    );
    let stuck: string | undefined;
    const done: string[] = [];
    for (const message of messages) {
      const missed = misses.get(message.id);
      const expanded = missed === undefined || (await this.expand(message, missed));
      if (expanded === true) done.push(message.id);
      else stuck = expanded === false ? 'claimed again by another relay' : expanded;
    }
    if (stuck === undefined) return { kind: 'delivered' };
    return { kind: 'transient', reason: stuck, delivered: done };
  }

  /** True once the failed pairs' rows replace the fan-out row; why not otherwise. */
  private async expand(message: ClaimedMessage, missed: Miss[]): Promise<true | false | string> {
    const delay = retryDelayMs(message.attempts, webhookBackoff(this.config));
    try {
      const { rows } = await this.pool.query<{ fanout: number }>(EXPAND_FANOUT, [
        message.id,
        message.attempts,
        missed.map((m) => m.endpoint),
        missed.map((m) => m.event),
        missed.map((m) => m.type),
        missed.map((m) => m.error),
        missed.map(() => Math.round(delay)),
      ]);
      return rows[0].fanout === 1;
    } catch (error) {
      return `could not queue the retries of a fan-out's failed endpoints: ${String(error)}`;
    }
  }

  /** Sends events to one endpoint and logs the attempts; none when the endpoint is gone. */
  private async deliverTo(endpointId: string, deliveries: Delivery[]): Promise<Attempt[]> {
    const { rows } = await this.pool.query<EndpointRow>(LOAD_ENDPOINT, [endpointId]);
    // A deleted endpoint's queued deliveries are dropped (its log went with it).
    if (rows.length === 0) return [];
    const endpoint = rows[0];
    const events = await this.pool.query<EventRow>(LOAD_EVENTS, [deliveries.map((d) => d.eventId)]);
    const byId = new Map(events.rows.map((e) => [e.id, e]));
    const attempts: Attempt[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++];
        attempts.push(await this.attempt(endpoint, delivery, byId.get(delivery.eventId)));
        await this.pacer.yield();
      }
    };
    const lanes = Math.min(this.pacer.lanes(), deliveries.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    await this.log.record(endpointId, attempts);
    return attempts;
  }

  /** One event to one endpoint; never throws. */
  private async attempt(
    endpoint: EndpointRow,
    { message, eventId, type: listed }: Delivery,
    event: EventRow | undefined,
  ): Promise<Attempt> {
    const type = event?.type ?? listed ?? String(message.payload);
    const base = { message, eventId, type, durationMs: 0 };
    if (!endpoint.enabled && type !== WEBHOOK_TEST_EVENT) {
      return { ...base, outcome: 'skipped', error: 'endpoint disabled' };
    }
    // Nothing left to send: the attempt is logged, and the row goes.
    if (!event) {
      return {
        ...base,
        outcome: 'skipped',
        error: 'the event is no longer kept (WEBHOOK_RETENTION)',
      };
    }
    const refusal = this.refusal(endpoint.url);
    if (refusal) return { ...base, outcome: 'refused', error: refusal };
    const body = `{"type":${JSON.stringify(type)},"timestamp":"${event.created_at.toISOString()}","data":${event.data}}`;
    const secrets = [
      endpoint.secret,
      ...(endpoint.previous_secret ? [endpoint.previous_secret] : []),
    ];
    const headers = signWebhook(secrets, event.id, Math.floor(Date.now() / 1000), body);
    const started = performance.now();
    const answer = await this.http.postJson(endpoint.url, body, {
      receiver: 'webhook endpoint',
      requestIds: message.requestId ? [message.requestId] : [],
      headers: { ...headers, 'user-agent': 'Raqeem-Webhooks' },
      agents: this.agents,
      maxResponseBytes: RESPONSE_EXCERPT_BYTES,
    });
    const durationMs = Math.round(performance.now() - started);
    const response = answer.status === undefined ? undefined : answer.body.replaceAll('\0', '');
    if (answer.outcome.kind === 'delivered') {
      return { ...base, durationMs, outcome: 'delivered', status: answer.status, response };
    }
    const error = answer.outcome.reason;
    const outcome = error.includes('EWEBHOOKREFUSED') ? 'refused' : 'failed';
    return { ...base, durationMs, outcome, status: answer.status, error, response };
  }

  /** Why the URL may not be called now (scheme, or an IP literal in a refused range). */
  private refusal(url: string): string | undefined {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && !this.config.WEBHOOK_ALLOW_HTTP) {
      return `${parsed.protocol} URLs are refused (https only unless WEBHOOK_ALLOW_HTTP=true)`;
    }
    if (this.config.WEBHOOK_ALLOW_PRIVATE) return undefined;
    return refusedLiteral(parsed.hostname);
  }
}
