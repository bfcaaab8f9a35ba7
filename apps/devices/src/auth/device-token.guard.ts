import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DeviceAccess } from './device-access.service';

/** Nest routes a device calls for itself: see DeviceAccess for the rules. */
@Injectable()
export class DeviceTokenGuard implements CanActivate {
  constructor(private readonly access: DeviceAccess) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const pathId = (request.params as Record<string, string | undefined>).id ?? '';
    await this.access.authorize(pathId, request.headers.authorization);
    return true;
  }
}
