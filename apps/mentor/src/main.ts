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
import { MentorConfig } from './config/mentor.config';
import { mentorDataSourceOptions } from './database/mentor-data-source';
import { MentorModule } from './mentor.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(MentorConfig);
  const secretsPath = resolveSecrets(config, ['MENTOR_API_TOKEN', 'JWT_SECRET']);
  const db = await resolveDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    service: 'mentor',
    log: (line) => process.stderr.write(`[embedded-postgres] ${line}\n`),
  });
  const dataSourceOptions = mentorDataSourceOptions(
    db.url,
    config.DB_SCHEMA,
    config.DATABASE_POOL_SIZE,
  );
  if (config.MIGRATIONS_RUN) await runMigrations(dataSourceOptions);

  const app = await createHttpApp(MentorModule.register(config, db.url), {
    title: 'Raqeem Mentor API',
    description: 'Ingest from the Devices service, query API and dashboard.',
    version: appVersion(),
    bodyLimit: config.BODY_LIMIT,
    corsOrigins: config.CORS_ORIGINS,
    trustProxy: config.TRUST_PROXY,
    docs: (builder) =>
      builder
        .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'service-token')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'session'),
  });
  handleShutdown(app, config.SHUTDOWN_GRACE, async () => {
    await db.embedded?.stop();
  });
  await app.listen(config.MENTOR_PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.MENTOR_PORT;
  app.get(Logger).log(
    startupBanner({
      service: 'Raqeem Mentor',
      url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`,
      database: db.description,
      secretsPath,
    }),
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`,
  );
  process.exit(1);
});
