import type { DeliveryChannelDefinition } from '@app/delivery';
import { DevicesConfig } from '../config/devices.config';
import { WEBHOOK_BATCH, WEBHOOK_CHANNEL } from './webhook-event-types';
import { WebhookPacerModule } from './webhook-pacer.module';
import { webhookBackoff, WebhookTransport } from './webhook-transport';

/**
 * Webhook deliveries as a delivery channel: fan-out rows (topic `*`, one event or up to
 * WEBHOOK_BATCH of a telemetry group's), replaced by rows per endpoint (topic: the endpoint id)
 * for the pairs they failed. Always on; with no endpoint registered it has nothing to send.
 */
export const webhookChannel: DeliveryChannelDefinition = {
  channel: WEBHOOK_CHANNEL,
  transport: WebhookTransport,
  imports: [WebhookPacerModule],
  inject: [DevicesConfig],
  settings: (config: DevicesConfig) => ({
    timeoutMs: config.WEBHOOK_TIMEOUT,
    // Per round, up to this many events of each endpoint (sent 8 at a time, each in a request
    // of its own); endpoints in parallel. A round ends with its slowest endpoint, so two loops.
    batchSize: WEBHOOK_BATCH,
    concurrency: 2,
    ...webhookBackoff(config),
    deadLetterAfterMs: config.WEBHOOK_DEAD_LETTER_AFTER,
    // Producers on this replica kick the relay; events written by other replicas wait a poll.
    pollIntervalMs: 1000,
    probeScope: 'topic',
    receiver: { name: 'webhook endpoint' },
  }),
  health: { key: 'webhooks', label: 'webhooks' },
};
