import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { sendErrorReply } from './error-reply';

/** The one exception filter: every error leaves in the spec's shape; stacks only for 5xx. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    sendErrorReply(host.switchToHttp().getResponse<FastifyReply>(), exception, this.logger);
  }
}
