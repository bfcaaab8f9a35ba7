import { typeOrmOptions } from '@app/platform';
import type { DataSourceOptions } from 'typeorm';
import { AlertCountEntity } from '../alerts/alert-count.entity';
import { AlertEntity } from '../alerts/alert.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { CommandEntity } from '../commands/command.entity';
import { UserEntity } from '../users/user.entity';
import { InitialSchema1763800000000 } from './migrations/1763800000000-initial-schema';
import { SyncState1763900000000 } from './migrations/1763900000000-sync-state';
import { QueryModel1763950000000 } from './migrations/1763950000000-query-model';
import { UsersAndSessions1764000000000 } from './migrations/1764000000000-users-and-sessions';
import { CommandsAndScreenshots1764100000000 } from './migrations/1764100000000-commands-and-screenshots';
import { MetricRollups1764200000000 } from './migrations/1764200000000-metric-rollups';
import { PartitionedTelemetry1764300000000 } from './migrations/1764300000000-partitioned-telemetry';
import { OutboxBundles1764400000000 } from './migrations/1764400000000-outbox-bundles';
import { OutboxPayloadText1764600000000 } from './migrations/1764600000000-outbox-payload-text';

/**
 * The tables read and written through TypeORM repositories. Each feature module registers its
 * own with `TypeOrmModule.forFeature`; entities-match-schema.spec.ts checks them against the
 * migrated schema.
 */
export const MENTOR_ENTITIES = [
  UserEntity,
  RefreshTokenEntity,
  CommandEntity,
  AlertEntity,
  AlertCountEntity,
];

/** One source of truth for the app and the migration CLI. */
export function mentorDataSourceOptions(
  url: string,
  schema: string,
  poolSize: number,
): DataSourceOptions {
  return typeOrmOptions({
    url,
    schema,
    poolSize,
    entities: MENTOR_ENTITIES,
    migrations: [
      InitialSchema1763800000000,
      SyncState1763900000000,
      QueryModel1763950000000,
      UsersAndSessions1764000000000,
      CommandsAndScreenshots1764100000000,
      MetricRollups1764200000000,
      PartitionedTelemetry1764300000000,
      OutboxBundles1764400000000,
      OutboxPayloadText1764600000000,
    ],
  });
}
