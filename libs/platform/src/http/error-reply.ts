import type { FastifyReply } from 'fastify';
import { RateLimitedException } from '../security/rate-limit.exception';
import { toErrorBody } from './error-mapping';

/** Where a 5xx's stack goes (Nest's Logger fits). */
export interface ErrorLogger {
  error(message: unknown): void;
}

/**
 * Answers a failed request in the spec's error shape: the one place that maps an exception to
 * its status, body and `Retry-After`, used by the global exception filter and by the routes
 * registered on Fastify directly. Stacks are logged for 5xx only, with the request id.
 */
export function sendErrorReply(reply: FastifyReply, exception: unknown, logger: ErrorLogger): void {
  const body = toErrorBody(exception);
  if (body.statusCode >= 500) {
    const detail = exception instanceof Error ? exception.stack : String(exception);
    logger.error(`Request ${reply.request.id} failed: ${detail}`);
  }
  if (exception instanceof RateLimitedException) {
    void reply.header('retry-after', String(exception.retryAfterSeconds));
  } else if (body.statusCode === 429 && !reply.getHeader('retry-after')) {
    void reply.header('retry-after', '1');
  }
  void reply.status(body.statusCode).send(body);
}
