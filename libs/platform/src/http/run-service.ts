import type { DynamicModule } from '@nestjs/common';
import type { DocumentBuilder } from '@nestjs/swagger';
import type { DataSourceOptions } from 'typeorm';
import { appVersion } from '../config/app-version';
import type { BaseConfig } from '../config/base.config';
import { ConfigError } from '../config/config-error';
import type { DevSecretName } from '../config/dev-secrets';
import { resolveSecrets } from '../config/resolve-secrets';
import { resolveDatabase, type ResolvedDatabase } from '../database/resolve-database';
import { runMigrations } from '../database/run-migrations';
import { isPretty, requestLineLogger } from '../logging/logger-options';
import { RequestLog } from '../logging/request-log';
import { StdoutDestination } from '../logging/stdout-destination';
import { createHttpApp, handleShutdown, type HttpAppOptions } from './bootstrap';
import { startupBanner } from './startup-banner';
import { StartupInterrupt, StartupInterrupted } from './startup-interrupt';

export interface ServiceDefinition<C extends BaseConfig> {
  name: 'devices' | 'mentor';
  title: string;
  description: string;
  config: C;
  port: number;
  secrets: DevSecretName[];
  dataSourceOptions(url: string): DataSourceOptions;
  module(url: string): DynamicModule;
  docs?: (builder: DocumentBuilder) => DocumentBuilder;
  /** Which security scheme of /docs each route needs (see RouteSecurityRules). */
  security?: HttpAppOptions['security'];
  /** Path of the web page the service serves to people, shown first in the banner. */
  dashboardPath?: string;
  bannerLines?: string[];
  /** Registers fastify plugins (multipart...) before routes are served. */
  configure?: HttpAppOptions['configure'];
  extraDocs?: HttpAppOptions['extraDocs'];
  /** Warnings worth a line at every start (e.g. an insecure mode switched on). */
  warnings?: string[];
}

/**
 * Start-up shared by both services: secrets, database (embedded when no DATABASE_URL),
 * migrations under a lock, the HTTP app, graceful shutdown, and the banner with the URLs.
 */
export async function runService<C extends BaseConfig>(
  service: ServiceDefinition<C>,
): Promise<void> {
  const { config } = service;
  const interrupt = new StartupInterrupt();
  const secretsPath = resolveSecrets(config, service.secrets);
  let db: ResolvedDatabase | undefined;
  try {
    db = await resolveDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      service: service.name,
      log: (line) => process.stderr.write(`[embedded-postgres] ${line}\n`),
    });
    interrupt.check();
    if (config.MIGRATIONS_RUN) await runMigrations(service.dataSourceOptions(db.url));
    interrupt.check();
    await serve(service, db, secretsPath, interrupt);
  } catch (error) {
    // A service that could not start must not leave its embedded database running.
    await db?.embedded
      ?.stop()
      .catch((stopError: Error) =>
        process.stderr.write(`[embedded-postgres] could not stop: ${stopError.message}\n`),
      );
    throw error;
  }
}

async function serve<C extends BaseConfig>(
  service: ServiceDefinition<C>,
  db: ResolvedDatabase,
  secretsPath: string | undefined,
  interrupt: StartupInterrupt,
): Promise<void> {
  const { config } = service;
  const lineLogger = requestLineLogger(config, service.name);
  const app = await createHttpApp(service.module(db.url), {
    title: service.title,
    description: service.description,
    version: appVersion(),
    bodyLimit: config.BODY_LIMIT,
    requestLog: new RequestLog(lineLogger),
    corsOrigins: config.CORS_ORIGINS,
    trustProxy: config.TRUST_PROXY,
    docs: service.docs,
    security: service.security,
    configure: service.configure,
    extraDocs: service.extraDocs,
  });
  handleShutdown(app, config.SHUTDOWN_GRACE, async () => {
    await db.embedded?.stop();
  });
  try {
    interrupt.release();
    await app.listen(service.port, config.HOST);
  } catch (error) {
    // Its jobs stop before the database they use goes away.
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : service.port;
  const banner = startupBanner({
    service: service.title,
    url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}`,
    database: db.description,
    secretsPath,
    dashboardPath: service.dashboardPath,
    extra: service.bannerLines,
  });
  // In a terminal a few lines to read; in JSON one line whose facts are fields.
  if (isPretty(config)) lineLogger.info(banner.lines.join('\n'));
  else lineLogger.info(banner.fields, banner.title);
  for (const warning of service.warnings ?? []) lineLogger.warn({ context: 'Security' }, warning);
  // The start-up lines are out before anything waiting for the service can look for them.
  StdoutDestination.flushIfUsed();
}

/** The entry point's last line: a config error prints its message, anything else its stack. */
export function exitOnStartupFailure(error: unknown): never {
  if (error instanceof StartupInterrupted) {
    process.stderr.write(`${error.message}\n`);
    process.exit(0);
  }
  const text =
    error instanceof ConfigError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`${text}\n`);
  process.exit(1);
}
