import { typeOrmOptions } from '@app/platform';
import type { DataSourceOptions } from 'typeorm';
import { DeviceTokenEntity } from '../auth/device-token.entity';
import { CommandEntity } from '../commands/command.entity';
import { DeviceEntity } from '../registration/device.entity';
import { InitialSchema1763800000000 } from './migrations/1763800000000-initial-schema';
import { ExportCursor1763900000000 } from './migrations/1763900000000-export-cursor';
import { DeviceTokens1764000000000 } from './migrations/1764000000000-device-tokens';
import { CommandsAndScreenshots1764100000000 } from './migrations/1764100000000-commands-and-screenshots';
import { PartitionedTelemetry1764300000000 } from './migrations/1764300000000-partitioned-telemetry';
import { OutboxBundles1764400000000 } from './migrations/1764400000000-outbox-bundles';
import { TelemetryWithoutRowKey1764500000000 } from './migrations/1764500000000-telemetry-without-row-key';
import { OutboxPayloadText1764600000000 } from './migrations/1764600000000-outbox-payload-text';
import { WebhookEventDataText1764800000000 } from './migrations/1764800000000-webhook-event-data-text';
import { WebhookEventGroups1764850000000 } from './migrations/1764850000000-webhook-event-groups';
import { Webhooks1764750000000 } from './migrations/1764750000000-webhooks';
import { WebhookEndpointEntity } from '../webhooks/webhook-endpoint.entity';

/**
 * The tables read and written through TypeORM repositories. Each feature module registers its
 * own with `TypeOrmModule.forFeature`; entities-match-schema.spec.ts checks them against the
 * migrated schema.
 */
export const DEVICES_ENTITIES = [
  DeviceEntity,
  DeviceTokenEntity,
  CommandEntity,
  WebhookEndpointEntity,
];

/** One source of truth for the app and the migration CLI. */
export function devicesDataSourceOptions(
  url: string,
  schema: string,
  poolSize: number,
): DataSourceOptions {
  return typeOrmOptions({
    url,
    schema,
    poolSize,
    entities: DEVICES_ENTITIES,
    migrations: [
      InitialSchema1763800000000,
      ExportCursor1763900000000,
      DeviceTokens1764000000000,
      CommandsAndScreenshots1764100000000,
      PartitionedTelemetry1764300000000,
      OutboxBundles1764400000000,
      TelemetryWithoutRowKey1764500000000,
      OutboxPayloadText1764600000000,
      Webhooks1764750000000,
      WebhookEventDataText1764800000000,
      WebhookEventGroups1764850000000,
    ],
  });
}
