import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RateLimitedException } from '../security/rate-limit.exception';
import { toErrorBody } from './error-mapping';

/** The one exception filter: every error leaves in the spec's shape; stacks only for 5xx. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    if (exception instanceof RateLimitedException) {
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    } else if (body.statusCode === 429 && !reply.getHeader('retry-after')) {
      void reply.header('retry-after', '1');
    }
    void reply.status(body.statusCode).send(body);
  }
}
