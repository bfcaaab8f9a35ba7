import {
  appVersion,
  AppThrottlerGuard,
  DatabasePoolMetrics,
  CounterThrottlerStorage,
  HealthModule,
  loggerParams,
  MetricsModule,
  BLOB_STORE,
  createBlobStore,
  PartitionMaintenanceModule,
  partitionMaintenanceOptions,
  ServiceTokenModule,
  DatabaseModule,
} from '@app/platform';
import { deliveryChannelToken } from '@app/delivery';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthModule } from './auth/auth.module';
import { UsersModule } from './users/users.module';
import { LoggerModule } from 'nestjs-pino';
import { MentorConfig } from './config/mentor.config';
import { mentorDataSourceOptions } from './database/mentor-data-source';
import { AlertsModule } from './alerts/alerts.module';
import { EventsModule } from './events/events.module';
import { FleetModule } from './fleet/fleet.module';
import { ForwardingModule } from './forwarding/forwarding.module';
import { IngestModule } from './ingest/ingest.module';
import { SyncModule } from './sync/sync.module';
import { TelemetryQueryModule } from './telemetry/telemetry-query.module';
import { CommandsModule } from './commands/commands.module';
import { DEVICES_CHANNEL } from './commands/devices-channel';
import { ScreenshotsModule } from './screenshots/screenshots.module';
import { MENTOR_PARTITIONED_TABLES } from './ingest/telemetry-partitions';

/** The Mentor service: the central copy, its query API and dashboard. */
@Module({})
export class MentorModule {
  static register(config: MentorConfig, databaseUrl: string): DynamicModule {
    return {
      module: MentorModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(config, 'mentor')),
        DatabaseModule.forRoot(
          mentorDataSourceOptions(databaseUrl, config.DB_SCHEMA, config.DATABASE_POOL_SIZE),
        ),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: config.RATE_LIMIT_WINDOW, limit: config.RATE_LIMIT_PER_IP }],
          storage: new CounterThrottlerStorage(),
        }),
        MetricsModule,
        // The service credential every service-to-service route checks (ServiceTokenGuard).
        ServiceTokenModule.forRoot(config.MENTOR_API_TOKEN),
        HealthModule.forRoot(
          { service: 'mentor', version: appVersion() },
          { provider: deliveryChannelToken(DEVICES_CHANNEL), imports: [CommandsModule] },
        ),
        IngestModule,
        AuthModule,
        UsersModule,
        SyncModule,
        FleetModule,
        TelemetryQueryModule,
        AlertsModule,
        EventsModule,
        CommandsModule,
        ScreenshotsModule,
        ForwardingModule,
        PartitionMaintenanceModule.forRoot(
          partitionMaintenanceOptions(config, MENTOR_PARTITIONED_TABLES),
        ),
      ],
      providers: [
        { provide: MentorConfig, useValue: config },
        { provide: BLOB_STORE, useValue: createBlobStore(config, 'mentor') },
        { provide: APP_GUARD, useClass: AppThrottlerGuard },
        DatabasePoolMetrics,
      ],
      exports: [MentorConfig, BLOB_STORE],
    };
  }
}
