import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { errorBody } from '../http/error-body';
import { bearerToken, matchesAny } from './safe-equal';

export const SERVICE_TOKENS = Symbol('SERVICE_TOKENS');

/**
 * Service-to-service credential (`Authorization: Bearer <MENTOR_API_TOKEN>`): the mentor's
 * ingest, the Devices internal endpoints and the export feed. Anything unsigned is refused.
 */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  constructor(@Inject(SERVICE_TOKENS) private readonly tokens: readonly string[]) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!matchesAny(bearerToken(request.headers.authorization), this.tokens)) {
      throw new UnauthorizedException(errorBody(401, 'A valid service token is required'));
    }
    return true;
  }
}
