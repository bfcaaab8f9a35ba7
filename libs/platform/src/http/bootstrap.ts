import type { INestApplication, Type, DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { QuietStartLogger } from '../logging/quiet-start-logger';
import type { RequestLog } from '../logging/request-log';
import { MetricsService } from '../metrics/metrics.service';
import { ShutdownState } from '../health/shutdown-state.service';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { genRequestId, REQUEST_ID_HEADER } from './request-id';
import { useStrictJsonParser } from './json-body-parser';
import { applyRouteSecurity, type RouteSecurityRules } from './route-security';
import { useSecurityHeaders } from './security-headers';
import { createValidationPipe } from './validation';
import { classValidatorKeyword, SCHEMA_AJV_OPTIONS } from './schema-ajv';

export interface HttpAppOptions {
  title: string;
  description: string;
  version: string;
  bodyLimit: number;
  /** Origins allowed to call the API from a browser (CORS); empty = none. */
  corsOrigins?: readonly string[];
  /** Proxies (addresses or CIDRs) whose X-Forwarded-For is believed for the client IP. */
  trustProxy?: readonly string[];
  /** Extra security schemes shown in /docs. */
  docs?: (builder: DocumentBuilder) => DocumentBuilder;
  /** Which of those schemes each route needs, from the rules its guards follow. */
  security?: RouteSecurityRules;
  /** Routes registered on Fastify directly, which Swagger does not scan: their /docs entries. */
  extraDocs?: { models: Type<unknown>[]; add: (document: OpenAPIObject) => OpenAPIObject };
  /** Writes each request's log line. */
  requestLog?: RequestLog;
  /** Hook to register fastify plugins (multipart, helmet...) before routes are served. */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
}

/**
 * Creates a Nest application on Fastify with what every Raqeem service shares: request ids,
 * the global validation pipe and error filter (Nest routes errors Fastify raises before the
 * handler, such as bad JSON or a too-large body, through the same filter), HTTP metrics, `/docs`.
 */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit,
    genReqId: genRequestId,
    requestIdHeader: false,
    return503OnClosing: true,
    trustProxy:
      options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
    // Refuse `__proto__`/`constructor` keys outright instead of trusting code downstream.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Route schemas (the telemetry routes' bodies) are checked as class-validator would.
    ajv: { customOptions: SCHEMA_AJV_OPTIONS, plugins: [classValidatorKeyword] },
  });
  // Nest's own parsers would add application/x-www-form-urlencoded; JSON is registered below.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    bodyParser: false,
    // A failure to build the app is thrown to the caller, which stops what it started (an
    // embedded database), rather than ending the process on the spot.
    abortOnError: false,
  });
  app.useLogger(new QuietStartLogger(app.get(Logger)));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  // Callback hooks, not async ones: no promise per request for these two.
  fastify.addHook(
    'onSend',
    (request: FastifyRequest, reply: FastifyReply, _payload: unknown, done: () => void) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      done();
    },
  );
  fastify.addHook(
    'onResponse',
    (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      done();
    },
  );

  options.requestLog?.install(fastify);

  // JSON is the only body these APIs read (multipart is added where screenshots are taken);
  // without Fastify's text parser a wrong content type is a 415, not a confusing 400.
  useStrictJsonParser(fastify, options.bodyLimit);
  useSecurityHeaders(app, options.corsOrigins ?? []);

  if (options.configure) await options.configure(app);

  let builder = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version);
  if (options.docs) builder = options.docs(builder);
  if (options.security) applyRouteSecurity(app, options.security);
  const { extraDocs } = options;
  SwaggerModule.setup('docs', app, () => {
    const document = SwaggerModule.createDocument(app, builder.build(), {
      extraModels: extraDocs?.models,
    });
    return extraDocs ? extraDocs.add(document) : document;
  });
  return app;
}

/**
 * SIGTERM/SIGINT: readiness turns 503 at once, Nest stops taking requests and runs the modules'
 * shutdown hooks (relays stop claiming and release their rows), then `after` runs (e.g. stop an
 * embedded database). If that takes longer than the grace period the process exits anyway.
 */
export function handleShutdown(
  app: INestApplication,
  graceMs: number,
  after?: () => Promise<void>,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    app.get(ShutdownState).markShuttingDown();
    const logger = app.get(Logger);
    logger.log(`${signal} received; shutting down (grace ${graceMs} ms)`, 'Shutdown');
    const timer = setTimeout(() => {
      logger.error('Grace period over; exiting with work still in flight', 'Shutdown');
      process.exit(1);
    }, graceMs);
    timer.unref();
    void (async () => {
      try {
        await app.close();
        if (after) await after();
        process.exit(0);
      } catch (error) {
        logger.error(`Shutdown failed: ${String(error)}`, 'Shutdown');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
