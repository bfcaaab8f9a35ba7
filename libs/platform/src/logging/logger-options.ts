import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { destination, pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Options } from 'pino-http';
import { BaseConfig } from '../config/base.config';

/** A route as Nest's middleware configuration names it. */
export interface RoutePath {
  path: string;
  method: RequestMethod;
}

/** Header and body paths that never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-enrollment-secret"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.device_token',
  '*.secret',
];

/** Event-stream tickets travel in the query string; they stay out of the log. */
export function loggableUrl(url: string): string {
  return url.replace(/([?&]ticket=)[^&]*/g, '$1[redacted]');
}

function isPretty(config: BaseConfig): boolean {
  return (
    config.LOG_FORMAT === 'pretty' ||
    (config.LOG_FORMAT === undefined && !config.isProduction && process.stdout.isTTY)
  );
}

function prettyTransport(): LoggerOptions['transport'] {
  return {
    target: 'pino-pretty',
    options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
  };
}

// JSON lines go to stdout asynchronously: lines logged while a write is in flight are written
// together by the next one, instead of one blocking write(2) per request line, which `npm run
// bench` measured as the largest remaining cost of an ingest request. pino flushes what is
// pending when the process exits. One destination per process, shared by every logger, so
// lines never interleave mid-line.
let stdoutDestination: DestinationStream | undefined;
function sharedStdout(): DestinationStream {
  stdoutDestination ??= destination({ dest: 1, sync: false });
  return stdoutDestination;
}

/**
 * nestjs-pino settings: JSON in production, pretty in a development terminal, one line per
 * request. `servedOutsideNest` are routes registered on Fastify directly, which log their
 * request lines themselves (RequestLog) and are left out of the middleware.
 */
export function loggerParams(
  config: BaseConfig,
  service: string,
  servedOutsideNest: RoutePath[] = [],
): Params {
  const pretty = isPretty(config);
  const options = {
    level: config.LOG_LEVEL,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    transport: pretty ? prettyTransport() : undefined,
    // Health probes and scrapes every few seconds would drown the request log.
    autoLogging: {
      ignore: (req: IncomingMessage) =>
        req.url === '/metrics' || (req.url ?? '').startsWith('/health'),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: loggableUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  } satisfies Options;
  return {
    // nestjs-pino's default route pattern does not match under Fastify in Nest 12.
    forRoutes: [{ path: '/*path', method: RequestMethod.ALL }],
    exclude: servedOutsideNest.length > 0 ? servedOutsideNest : undefined,
    pinoHttp: pretty ? options : [options, sharedStdout()],
  };
}

/**
 * The logger of RequestLog's request lines: pino-http's format and destination, without the
 * redaction pass, which measured about 17 µs per line (more than building and writing it).
 * Nothing in a request line can hold a secret: it is built from the request id, method, URL
 * (tickets removed), status and time, never from headers or bodies.
 */
export function requestLineLogger(config: BaseConfig, service: string): Logger {
  const options: LoggerOptions = { level: config.LOG_LEVEL, base: { service } };
  return isPretty(config)
    ? pino({ ...options, transport: prettyTransport() })
    : pino(options, sharedStdout());
}
