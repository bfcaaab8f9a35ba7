import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { loggableUrl } from './logger-options';

/**
 * The request line of routes registered on Fastify directly, which nestjs-pino's middleware
 * (pino-http) does not serve: the same fields, levels and messages pino-http writes for Nest
 * routes (`info` below 400, `warn` for 4xx, `error` with "request errored" for 5xx), written
 * from one `onResponse` hook instead of a child logger and response listeners per request.
 */
export class RequestLog {
  constructor(private readonly logger: Logger) {}

  /** Add as the route's `onResponse` hook. */
  readonly onResponse = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const statusCode = reply.statusCode;
    const line = {
      req: { id: request.id, method: request.method, url: loggableUrl(request.url) },
      res: { statusCode },
      responseTime: Math.round(reply.elapsedTime),
    };
    if (statusCode >= 500) {
      const err = { message: `failed with status code ${statusCode}` };
      this.logger.error({ ...line, err }, 'request errored');
    } else if (statusCode >= 400) {
      this.logger.warn(line, 'request completed');
    } else {
      this.logger.info(line, 'request completed');
    }
    done();
  };
}
