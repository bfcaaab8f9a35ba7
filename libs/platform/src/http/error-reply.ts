import type { FastifyReply } from 'fastify';
import { RateLimitedException } from '../security/rate-limit.exception';
import { drainUnreadBody } from './body-drain';
import { toErrorBody } from './error-mapping';

/** Where a 5xx's stack goes (Nest's Logger fits). */
export interface ErrorLogger {
  error(message: unknown): void;
}

/**
 * Answers a failed request in the spec's error shape: the one place that maps an exception to
 * its status, body and `Retry-After`, used by the global exception filter and by the routes
 * registered on Fastify directly. Stacks are logged for 5xx only, with the request id. The rest
 * of a body left unread is read and thrown away, so the client can read the answer.
 */
export function sendErrorReply(reply: FastifyReply, exception: unknown, logger: ErrorLogger): void {
  const body = toErrorBody(exception, reply.request.routeOptions.bodyLimit);
  if (body.statusCode >= 500) {
    const detail = exception instanceof Error ? exception.stack : String(exception);
    logger.error(`Request ${reply.request.id} failed: ${detail}`);
  }
  if (exception instanceof RateLimitedException) {
    void reply.header('retry-after', String(exception.retryAfterSeconds));
  } else if (body.statusCode === 429) {
    // Every 429 has the same shape, whichever limiter refused.
    if (!reply.getHeader('retry-after')) void reply.header('retry-after', '1');
    body.details ??= { retry_after: Number(reply.getHeader('retry-after')) || 1 };
  }
  drainUnreadBody(reply);
  void reply.status(body.statusCode).send(body);
}
