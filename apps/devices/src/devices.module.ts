import {
  AppThrottlerGuard,
  DatabasePoolMetrics,
  CounterThrottlerStorage,
  HealthModule,
  loggerParams,
  MetricsModule,
  appVersion,
  BLOB_STORE,
  createBlobStore,
  PartitionMaintenanceModule,
  partitionMaintenanceOptions,
  ServiceTokenModule,
  DatabaseModule,
} from '@app/platform';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { DevicesConfig } from './config/devices.config';
import { devicesDataSourceOptions } from './database/devices-data-source';
import { ExportModule } from './export/export.module';
import { ForwardingModule } from './forwarding/forwarding.module';
import { ForwardingService } from './forwarding/forwarding.service';
import { RegistrationModule } from './registration/registration.module';
import { TelemetryModule } from './telemetry/telemetry.module';
import { CommandsModule } from './commands/commands.module';
import { ScreenshotsModule } from './screenshots/screenshots.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import {
  DEVICES_PARTITIONED_TABLES,
  DEVICES_RETENTION_COMPANIONS,
} from './telemetry/telemetry-partitions';

/** The Devices service: ingest from agents, durable forwarding to the mentor. */
@Module({})
export class DevicesModule {
  static register(config: DevicesConfig, databaseUrl: string): DynamicModule {
    return {
      module: DevicesModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(config, 'devices')),
        DatabaseModule.forRoot(
          devicesDataSourceOptions(databaseUrl, config.DB_SCHEMA, config.DATABASE_POOL_SIZE),
        ),
        // Per-IP limit on every route (health and metrics excepted); the per-device limit is
        // applied after authentication by DeviceTokenGuard, on the same storage.
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: config.RATE_LIMIT_WINDOW, limit: config.RATE_LIMIT_PER_IP }],
          storage: new CounterThrottlerStorage(),
        }),
        MetricsModule,
        // The service credential every service-to-service route checks (ServiceTokenGuard).
        ServiceTokenModule.forRoot(config.MENTOR_API_TOKEN),
        HealthModule.forRoot(
          { service: 'devices', version: appVersion() },
          { provider: ForwardingService, imports: [ForwardingModule] },
        ),
        ForwardingModule,
        RegistrationModule,
        TelemetryModule,
        ExportModule,
        CommandsModule,
        ScreenshotsModule,
        WebhooksModule,
        PartitionMaintenanceModule.forRoot(
          partitionMaintenanceOptions(
            config,
            DEVICES_PARTITIONED_TABLES,
            DEVICES_RETENTION_COMPANIONS,
          ),
        ),
      ],
      providers: [
        { provide: DevicesConfig, useValue: config },
        { provide: BLOB_STORE, useValue: createBlobStore(config, 'devices') },
        { provide: APP_GUARD, useClass: AppThrottlerGuard },
        DatabasePoolMetrics,
      ],
      exports: [DevicesConfig, ThrottlerModule, BLOB_STORE],
    };
  }
}
