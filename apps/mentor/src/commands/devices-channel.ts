import type { DeliveryChannelDefinition } from '@app/delivery';
import { MentorConfig } from '../config/mentor.config';
import { DevicesTransport } from './devices-transport';

export const DEVICES_CHANNEL = 'devices';

/**
 * The mentor's durable hand-off of commands to Devices: the command row and its outbox row
 * commit together, and the same engine as forwarding (with the same retry rules) sends them to
 * Devices' internal endpoint. Without DEVICES_API_URL there is nowhere to send, and commands
 * cannot be created.
 */
export const devicesChannel: DeliveryChannelDefinition = {
  channel: DEVICES_CHANNEL,
  transport: DevicesTransport,
  inject: [MentorConfig],
  settings: (config: MentorConfig) =>
    config.DEVICES_API_URL && config.MENTOR_API_TOKEN
      ? {
          timeoutMs: config.COMMAND_HANDOFF_TIMEOUT,
          batchSize: 100,
          concurrency: 1,
          receiver: {
            name: 'devices',
            credentialSetting: 'MENTOR_API_TOKEN',
            urlSetting: 'DEVICES_API_URL',
          },
        }
      : undefined,
  health: { key: 'command_handoff', label: 'command hand-off' },
};
