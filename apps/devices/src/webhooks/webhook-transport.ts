import {
  OutboundHttp,
  type ClaimedMessage,
  type DeliveryTransport,
  type SendOutcome,
} from '@app/delivery';
import { MetricsService, SqlPool } from '@app/platform';
import { Injectable, Logger } from '@nestjs/common';
import { DevicesConfig } from '../config/devices.config';
import { guardedAgents, refusedLiteral } from './guarded-lookup';
import { WEBHOOK_TEST_EVENT } from './webhook-event-types';
import { signWebhook } from './webhook-signer';
import { LOAD_ATTEMPT, NOTIFY_CHANGED, RECORD_ATTEMPT } from './webhooks.sql';

/** The first bytes of an answer kept in the delivery log (and all that is read of it). */
export const RESPONSE_EXCERPT_BYTES = 1024;

type LoggedOutcome = 'delivered' | 'failed' | 'refused' | 'skipped';

interface AttemptRow {
  url: string | null;
  enabled: boolean | null;
  secret: string | null;
  previous_secret: string | null;
  type: string | null;
  data: string | null;
  created_at: Date | null;
}

interface Attempt {
  endpointId: string;
  message: ClaimedMessage;
  type: string;
  outcome: LoggedOutcome;
  status?: number;
  durationMs: number;
  error?: string;
  response?: string;
}

/**
 * Sends one event to one endpoint per request (the outbox rows are solo), signed per Standard
 * Webhooks, through the SSRF guard; logs every attempt. Any answer but a 2xx is retried: a
 * receiver's 4xx is as likely a deploy in progress as a verdict on the event.
 */
@Injectable()
export class WebhookTransport implements DeliveryTransport {
  private readonly logger = new Logger(WebhookTransport.name);
  private readonly agents;
  private readonly deliveries;

  constructor(
    private readonly http: OutboundHttp,
    private readonly pool: SqlPool,
    private readonly config: DevicesConfig,
    metrics: MetricsService,
  ) {
    this.agents = guardedAgents(config.WEBHOOK_ALLOW_PRIVATE);
    this.deliveries = metrics.counter(
      'webhook_deliveries_total',
      'Webhook delivery attempts by endpoint and outcome',
      ['endpoint', 'outcome'],
    );
  }

  async send(endpointId: string, messages: ClaimedMessage[]): Promise<SendOutcome> {
    let result: SendOutcome = { kind: 'delivered' };
    for (const message of messages) {
      const outcome = await this.sendOne(endpointId, message);
      if (outcome.kind !== 'delivered') result = outcome;
    }
    return result;
  }

  private async sendOne(endpointId: string, message: ClaimedMessage): Promise<SendOutcome> {
    const { rows } = await this.pool.query<AttemptRow>(LOAD_ATTEMPT, [
      endpointId,
      message.recordId,
    ]);
    const row = rows[0];
    // A deleted endpoint's queued deliveries are dropped (its log went with it).
    if (!row?.url || !row.secret) return { kind: 'delivered' };
    const type = row.type ?? String(message.payload);
    const base = { endpointId, message, type, durationMs: 0 };
    if (!row.enabled && type !== WEBHOOK_TEST_EVENT) {
      await this.record({ ...base, outcome: 'skipped', error: 'endpoint disabled' });
      return { kind: 'delivered' };
    }
    if (row.data === null || row.created_at === null) {
      const error = 'the event is no longer kept (WEBHOOK_RETENTION)';
      await this.record({ ...base, outcome: 'refused', error });
      return { kind: 'permanent', reason: error };
    }
    const refusal = this.refusal(row.url);
    if (refusal) {
      await this.record({ ...base, outcome: 'refused', error: refusal });
      return { kind: 'transient', reason: refusal };
    }
    const body = `{"type":${JSON.stringify(type)},"timestamp":"${row.created_at.toISOString()}","data":${row.data}}`;
    const secrets = row.previous_secret ? [row.secret, row.previous_secret] : [row.secret];
    const headers = signWebhook(secrets, message.recordId, Math.floor(Date.now() / 1000), body);
    const started = performance.now();
    const answer = await this.http.postJson(row.url, body, {
      receiver: 'webhook endpoint',
      requestIds: message.requestId ? [message.requestId] : [],
      headers: { ...headers, 'user-agent': 'Raqeem-Webhooks' },
      agents: this.agents,
      maxResponseBytes: RESPONSE_EXCERPT_BYTES,
    });
    const durationMs = Math.round(performance.now() - started);
    const delivered = answer.outcome.kind === 'delivered';
    const reason = delivered ? undefined : (answer.outcome as { reason: string }).reason;
    await this.record({
      ...base,
      durationMs,
      outcome: delivered ? 'delivered' : reason?.includes('EWEBHOOKREFUSED') ? 'refused' : 'failed',
      status: answer.status,
      error: reason,
      response: answer.status === undefined ? undefined : answer.body.replaceAll('\0', ''),
    });
    if (delivered || answer.outcome.kind === 'transient') return answer.outcome;
    return { kind: 'transient', reason: reason ?? 'refused' };
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

  /** The log line and the endpoint's failure clock; a log that fails must not fail delivery. */
  private async record(attempt: Attempt): Promise<void> {
    this.deliveries.inc({ endpoint: attempt.endpointId, outcome: attempt.outcome });
    try {
      const days = Math.round((this.config.WEBHOOK_DISABLE_AFTER / 86_400_000) * 100) / 100;
      const { rows } = await this.pool.query<{ disabled_now: boolean }>(RECORD_ATTEMPT, [
        attempt.endpointId,
        attempt.message.recordId,
        attempt.type,
        attempt.message.attempts,
        attempt.outcome,
        attempt.status ?? null,
        attempt.durationMs,
        attempt.error ?? null,
        attempt.response ?? null,
        this.config.WEBHOOK_DISABLE_AFTER,
        `no successful delivery for ${days} days; last error: ${attempt.error ?? 'none'}`,
      ]);
      if (rows[0]?.disabled_now) {
        this.logger.warn(
          `Webhook endpoint ${attempt.endpointId} disabled: no success for ${days} days`,
        );
        await this.pool.query(NOTIFY_CHANGED);
      }
    } catch (error) {
      this.logger.warn(`Could not log a webhook delivery: ${String(error)}`);
    }
  }
}
