import { errorBody, matchesAny } from '@app/platform';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DevicesConfig } from '../config/devices.config';

/** Operator endpoints (device reads, dead letters, replay) need one of OPERATOR_API_KEY. */
@Injectable()
export class OperatorKeyGuard implements CanActivate {
  constructor(private readonly config: DevicesConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers['x-api-key'];
    const presented = Array.isArray(header) ? header[0] : header;
    if (!matchesAny(presented, this.config.OPERATOR_API_KEY)) {
      throw new UnauthorizedException(errorBody(401, 'A valid X-API-Key is required'));
    }
    return true;
  }
}
