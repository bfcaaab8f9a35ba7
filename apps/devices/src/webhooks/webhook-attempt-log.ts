import type { ClaimedMessage } from '@app/delivery';
import type { MetricsService, SqlPool } from '@app/platform';
import type { Counter } from 'prom-client';
import type { DevicesConfig } from '../config/devices.config';
import { NOTIFY_CHANGED, RECORD_ATTEMPTS } from './webhooks.sql';

/** What became of one attempt, as the delivery log shows it. */
export interface Attempt {
  /** The outbox row the event was claimed with (its attempts count this one). */
  message: ClaimedMessage;
  eventId: string;
  type: string;
  outcome: 'delivered' | 'failed' | 'refused' | 'skipped';
  status?: number;
  durationMs: number;
  error?: string;
  response?: string;
}

/**
 * Writes a round's attempts to an endpoint in one statement, keeps its failure clock (and
 * disables it after WEBHOOK_DISABLE_AFTER without a success), and counts the outcomes.
 */
export class WebhookAttemptLog {
  private readonly deliveries: Counter<'endpoint' | 'outcome'>;

  constructor(
    private readonly pool: SqlPool,
    private readonly config: DevicesConfig,
    metrics: MetricsService,
    private readonly logger: { warn(message: string): void },
  ) {
    this.deliveries = metrics.counter(
      'webhook_deliveries_total',
      'Webhook delivery attempts by endpoint and outcome',
      ['endpoint', 'outcome'],
    );
  }

  /** A log that fails must not fail delivery: it is reported and the outcome stands. */
  async record(endpointId: string, attempts: Attempt[]): Promise<void> {
    for (const a of attempts) this.deliveries.inc({ endpoint: endpointId, outcome: a.outcome });
    const window = describeDuration(this.config.WEBHOOK_DISABLE_AFTER);
    const last = attempts.findLast((a) => a.outcome === 'failed' || a.outcome === 'refused');
    try {
      const { rows } = await this.pool.query<{ disabled_now: boolean }>(RECORD_ATTEMPTS, [
        endpointId,
        attempts.map((a) => a.eventId),
        attempts.map((a) => a.type),
        attempts.map((a) => a.message.attempts),
        attempts.map((a) => a.outcome),
        attempts.map((a) => a.status ?? null),
        attempts.map((a) => a.durationMs),
        attempts.map((a) => a.error ?? null),
        attempts.map((a) => a.response ?? null),
        attempts.some((a) => a.outcome === 'delivered'),
        last !== undefined,
        this.config.WEBHOOK_DISABLE_AFTER,
        `no successful delivery for ${window}; last error: ${last?.error ?? 'none'}`,
      ]);
      if (rows[0]?.disabled_now) {
        this.logger.warn(`Webhook endpoint ${endpointId} disabled: no success for ${window}`);
        await this.pool.query(NOTIFY_CHANGED);
      }
    } catch (error) {
      this.logger.warn(
        `Could not log ${attempts.length} webhook delivery attempt(s): ${String(error)}`,
      );
    }
  }
}

/** A duration as an operator reads it: `5 d`, `12 h`, `30 s`. */
function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  const [size, unit] = units.find(([size]) => ms >= size) ?? [1, 'ms'];
  return `${Math.round((ms / size) * 10) / 10} ${unit}`;
}
