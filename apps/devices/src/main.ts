import 'reflect-metadata';
import {
  appVersion,
  ConfigError,
  createHttpApp,
  handleShutdown,
  loadConfig,
  resolveDatabase,
  resolveSecrets,
  runMigrations,
  startupBanner,
} from '@app/platform';
import { Logger } from 'nestjs-pino';
import { DevicesConfig } from './config/devices.config';
import { devicesDataSourceOptions } from './database/devices-data-source';
import { DevicesModule } from './devices.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(DevicesConfig);
  const secretsPath = resolveSecrets(
    config,
    config.MENTOR_API_URL
      ? ['ENROLLMENT_SECRET', 'OPERATOR_API_KEY', 'MENTOR_API_TOKEN']
      : ['ENROLLMENT_SECRET', 'OPERATOR_API_KEY'],
  );
  const db = await resolveDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    service: 'devices',
    log: (line) => process.stderr.write(`[embedded-postgres] ${line}\n`),
  });
  const dataSourceOptions = devicesDataSourceOptions(
    db.url,
    config.DB_SCHEMA,
    config.DATABASE_POOL_SIZE,
  );
  if (config.MIGRATIONS_RUN) await runMigrations(dataSourceOptions);

  const app = await createHttpApp(DevicesModule.register(config, db.url), {
    title: 'Raqeem Devices API',
    description: 'Device-facing ingest, operator reads and forwarding control.',
    version: appVersion(),
    bodyLimit: config.BODY_LIMIT,
    corsOrigins: config.CORS_ORIGINS,
    trustProxy: config.TRUST_PROXY,
    docs: (builder) =>
      builder
        .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'device-token')
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'operator-key')
        .addApiKey(
          { type: 'apiKey', in: 'header', name: 'X-Enrollment-Secret' },
          'enrollment-secret',
        ),
  });
  handleShutdown(app, config.SHUTDOWN_GRACE, async () => {
    await db.embedded?.stop();
  });
  await app.listen(config.DEVICES_PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.DEVICES_PORT;
  app.get(Logger).log(
    startupBanner({
      service: 'Raqeem Devices',
      url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`,
      database: db.description,
      secretsPath,
      extra: [
        config.MENTOR_API_URL
          ? `forwarding to ${config.MENTOR_API_URL}`
          : 'standalone: MENTOR_API_URL not set, nothing is forwarded',
      ],
    }),
    'Bootstrap',
  );
  if (!config.DEVICE_AUTH_REQUIRED) {
    app
      .get(Logger)
      .warn(
        'INSECURE: DEVICE_AUTH_REQUIRED=false lets anyone register devices and post telemetry ' +
          'for any device id without a token. Use it only while migrating legacy agents.',
        'Security',
      );
  }
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
