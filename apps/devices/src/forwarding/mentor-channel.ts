import type { DataType } from '@app/contracts';
import type { DeliveryChannelDefinition } from '@app/delivery';
import { DevicesConfig } from '../config/devices.config';
import { MentorTransport } from './mentor-transport';

export const MENTOR_CHANNEL = 'mentor';

/** Forwarding to the mentor as a delivery channel; off without MENTOR_API_URL (standalone). */
export const mentorChannel: DeliveryChannelDefinition = {
  channel: MENTOR_CHANNEL,
  transport: MentorTransport,
  inject: [DevicesConfig],
  settings: (config: DevicesConfig) => {
    if (!config.MENTOR_API_URL || !config.MENTOR_API_TOKEN) return undefined;
    const toggles: [DataType, boolean][] = [
      ['device', true],
      ['command_status', true],
      ['metrics', config.FORWARD_METRICS],
      ['activities', config.FORWARD_ACTIVITIES],
      ['processes', config.FORWARD_PROCESSES],
      ['alerts', config.FORWARD_ALERTS],
      ['screenshots', config.FORWARD_SCREENSHOTS],
    ];
    const topics = toggles.filter(([, on]) => on).map(([type]) => type);
    return {
      timeoutMs: config.FORWARD_TIMEOUT,
      topics,
      startMessage: `Forwarding to ${config.MENTOR_API_URL} (${topics.join(', ')})`,
      batchSize: config.FORWARD_BATCH_SIZE,
      concurrency: config.FORWARD_CONCURRENCY,
      quickRetries: config.FORWARD_MAX_RETRIES,
      maxBackoffMs: config.FORWARD_MAX_BACKOFF,
      deadLetterAfterMs: config.FORWARD_DEAD_LETTER_AFTER,
      receiver: {
        name: 'mentor',
        credentialSetting: 'MENTOR_API_TOKEN',
        urlSetting: 'MENTOR_API_URL',
      },
    };
  },
  offMessage:
    'MENTOR_API_URL (or MENTOR_API_TOKEN) is not set: standalone mode, nothing is forwarded',
  health: { key: 'forwarding', label: 'forwarding' },
  counters: {
    topicLabel: 'data_type',
    delivered: { name: 'forward_success_total', help: 'Records delivered to the mentor' },
    failed: { name: 'forward_failure_total', help: 'Failed record deliveries to the mentor' },
    deadLettered: { name: 'forward_dead_letters_total', help: 'Records moved to dead letters' },
  },
};
