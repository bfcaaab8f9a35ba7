import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { loggableUrl } from './logger-options';

/** Health probes and scrapes every few seconds would drown the request log. */
const UNLOGGED = /^\/(health|metrics)(\/|\?|$)/;

/**
 * One line per request, for every route (Nest's and those registered on Fastify directly), in
 * the shape pino-http wrote before: `req` (id, method, URL without tickets), `res`
 * (statusCode), `responseTime` in ms; `info` below 400, `warn` for 4xx, `error` with "request
 * errored" for 5xx, and "request aborted" when the client went away first. Written from
 * Fastify hooks rather than a middleware with a child logger and listeners per request.
 */
export class RequestLog {
  constructor(private readonly logger: Logger) {}

  /** Installs the hooks on the app's Fastify instance. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', this.onResponse);
    fastify.addHook('onRequestAbort', (request, done) => {
      if (!UNLOGGED.test(request.url)) {
        const line = { req: this.req(request), err: { message: 'the client closed the request' } };
        this.logger.warn(line, 'request aborted');
      }
      done();
    });
  }

  private readonly onResponse = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: () => void,
  ): void => {
    if (UNLOGGED.test(request.url)) {
      done();
      return;
    }
    const statusCode = reply.statusCode;
    const line = {
      req: this.req(request),
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

  private req(request: FastifyRequest): { id: string; method: string; url: string } {
    return { id: request.id, method: request.method, url: loggableUrl(request.url) };
  }
}
