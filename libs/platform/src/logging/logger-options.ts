import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { destination } from 'pino';
import type { Options } from 'pino-http';
import { BaseConfig } from '../config/base.config';

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

/** nestjs-pino settings: JSON in production, pretty in a development terminal, one line per request. */
export function loggerParams(config: BaseConfig, service: string): Params {
  const pretty =
    config.LOG_FORMAT === 'pretty' ||
    (config.LOG_FORMAT === undefined && !config.isProduction && process.stdout.isTTY);
  const options = {
    level: config.LOG_LEVEL,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    transport: pretty
      ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
      : undefined,
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
        // Event-stream tickets travel in the query string; they stay out of the log.
        url: req.url.replace(/([?&]ticket=)[^&]*/g, '$1[redacted]'),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  } satisfies Options;
  return {
    // nestjs-pino's default route pattern does not match under Fastify in Nest 12.
    forRoutes: [{ path: '/*path', method: RequestMethod.ALL }],
    // JSON lines go to stdout asynchronously: lines logged while a write is in flight are
    // written together by the next one, instead of one blocking write(2) per request line,
    // which `npm run bench` measured as the largest remaining cost of an ingest request.
    // pino flushes what is pending when the process exits.
    pinoHttp: pretty ? options : [options, destination({ dest: 1, sync: false })],
  };
}
