import 'reflect-metadata';
import multipart from '@fastify/multipart';
import { exitOnStartupFailure, loadConfig, runService } from '@app/platform';
import { DEVICES_ROUTE_SECURITY, devicesSecuritySchemes } from './auth/route-security';
import { DevicesConfig } from './config/devices.config';
import { devicesDataSourceOptions } from './database/devices-data-source';
import { DevicesModule } from './devices.module';
import { documentTelemetryRoutes, TELEMETRY_API_MODELS } from './telemetry/telemetry.routes';

async function bootstrap(): Promise<void> {
  const config = loadConfig(DevicesConfig);
  await runService({
    name: 'devices',
    title: 'Raqeem Devices',
    description: 'Device-facing ingest, operator reads, forwarding control and the export feed.',
    config,
    port: config.DEVICES_PORT,
    // The service token signs forwarding and guards the export feed; a production deployment
    // that neither forwards nor is pulled from may leave it unset.
    secrets:
      config.MENTOR_API_URL || !config.isProduction
        ? ['ENROLLMENT_SECRET', 'OPERATOR_API_KEY', 'MENTOR_API_TOKEN']
        : ['ENROLLMENT_SECRET', 'OPERATOR_API_KEY'],
    dataSourceOptions: (url) =>
      devicesDataSourceOptions(url, config.DB_SCHEMA, config.DATABASE_POOL_SIZE),
    module: (url) => DevicesModule.register(config, url),
    configure: async (app) => {
      // Screenshots: one file, limited while streaming (a larger one is a 413 before it is read
      // whole). One byte over the limit is read so that readUpload can tell a file cut at the
      // limit from one of exactly the limit.
      await app.register(multipart, {
        limits: {
          fileSize: config.SCREENSHOT_MAX_BYTES + 1,
          files: 1,
          fields: 8,
          fieldSize: 1024,
          parts: 10,
          headerPairs: 100,
        },
      });
    },
    docs: devicesSecuritySchemes,
    security: DEVICES_ROUTE_SECURITY,
    extraDocs: { models: TELEMETRY_API_MODELS, add: documentTelemetryRoutes },
    warnings: config.DEVICE_AUTH_REQUIRED
      ? []
      : [
          'INSECURE: DEVICE_AUTH_REQUIRED=false lets anyone register devices and post telemetry ' +
            'for any device id without a token. Use it only while migrating legacy agents.',
        ],
    bannerLines: [
      config.MENTOR_API_URL
        ? `forwarding to ${config.MENTOR_API_URL}`
        : 'standalone: MENTOR_API_URL not set, nothing is forwarded',
    ],
  });
}

bootstrap().catch(exitOnStartupFailure);
