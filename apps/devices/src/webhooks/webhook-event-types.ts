import type { TelemetryKind } from '@app/contracts';

/** The events an endpoint may subscribe to (`*`: every one). */
export const WEBHOOK_EVENT_TYPES = [
  'device.registered',
  'metric.submitted',
  'activity.submitted',
  'process.submitted',
  'alert.submitted',
  'screenshot.submitted',
  'command.completed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by POST /api/v1/webhooks/{id}/test, to that endpoint only. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export const ALL_EVENTS = '*';

/** The event announcing a batch of each telemetry kind. */
export const TELEMETRY_EVENT: Record<TelemetryKind, WebhookEventType> = {
  metrics: 'metric.submitted',
  activities: 'activity.submitted',
  alerts: 'alert.submitted',
};

/**
 * Events of an endpoint a relay round sends at most, and a telemetry group's fan-out row holds
 * at most.
 */
export const WEBHOOK_BATCH = 100;

/** The delivery channel (and outbox `channel`) of webhook deliveries. */
export const WEBHOOK_CHANNEL = 'webhooks';

/**
 * The outbox topic of a fan-out row: one event for every endpoint its payload lists (see
 * webhooks.sql.ts). Endpoint ids are UUIDs, so no endpoint's topic is ever this.
 */
export const WEBHOOK_FANOUT_TOPIC = '*';
