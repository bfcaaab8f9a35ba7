import type { Params } from 'nestjs-pino';
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { Options } from 'pino-http';
import { BaseConfig } from '../config/base.config';
import { StdoutDestination } from './stdout-destination';

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

export function isPretty(config: BaseConfig): boolean {
  return (
    config.LOG_FORMAT === 'pretty' ||
    (config.LOG_FORMAT === undefined && !config.isProduction && process.stdout.isTTY)
  );
}

function prettyTransport(): LoggerOptions['transport'] {
  return {
    target: 'pino-pretty',
    options: {
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      // The launcher already names the service on every line; Nest's context leads the message.
      ignore: 'pid,hostname,service,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
    },
  };
}

/** Warnings and errors reach stdout at once; `info` lines within StdoutDestination's 10 ms. */
const flushOnWarning: LoggerOptions['hooks'] = {
  logMethod(args, method, level) {
    method.apply(this, args);
    if (level >= 40) StdoutDestination.get().flush();
  },
};

/**
 * nestjs-pino settings: Nest's logger (`new Logger(Class.name)`) on pino, JSON in production,
 * pretty in a development terminal. Request lines do not come from its per-request middleware
 * (pino-http) but from RequestLog, one Fastify hook for every route: the middleware cost every
 * request a pass through @fastify/middie and Nest's middleware router, a child logger, and an
 * AsyncLocalStorage context whose hooks then ran for every promise of the process, while no
 * request-time code logs anything but the request line and a 5xx's stack (which carries the
 * request id itself).
 */
export function loggerParams(config: BaseConfig, service: string): Params {
  const pretty = isPretty(config);
  // pino copies every key it is given: `hooks: undefined` replaces its default hooks and fails
  // at the first log call, so each key is present only when it has a value.
  const options = {
    level: config.LOG_LEVEL,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: prettyTransport() } : { hooks: flushOnWarning }),
  } satisfies Options;
  return {
    // No route: the middleware is not mounted at all (see above).
    forRoutes: [],
    pinoHttp: pretty ? options : [options, StdoutDestination.get()],
  };
}

/**
 * The logger of RequestLog's request lines: the format and destination of the other lines,
 * without the redaction pass, which cost more than building and writing the line.
 * Nothing in a request line can hold a secret: it is built from the request id, method, URL
 * (tickets removed), status and time, never from headers or bodies.
 */
export function requestLineLogger(config: BaseConfig, service: string): Logger {
  const options: LoggerOptions = { level: config.LOG_LEVEL, base: { service } };
  return isPretty(config)
    ? pino({ ...options, transport: prettyTransport() })
    : pino({ ...options, hooks: flushOnWarning }, StdoutDestination.get());
}
