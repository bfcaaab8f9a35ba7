import type { UserRole } from '@app/contracts';
import {
  bearerToken,
  errorBody,
  IS_PUBLIC,
  type RouteTargets,
  SERVICE_AUTH,
  ServiceTokenGuard,
} from '@app/platform';
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuthService } from './auth.service';
import { hasRole } from './roles';
import { ROLES } from './roles.decorator';
import type { WithSessionUser } from './session-user';

/**
 * The mentor's global guard: every route needs a signed-in user unless it says otherwise, so
 * an endpoint added later is protected by default. `@Public()` routes need nothing;
 * `@ServiceAuth()` routes (and any guarded by ServiceTokenGuard) are left to the service
 * credential; `@Roles(...)` narrows a route to roles (`403` for a user without one).
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets: RouteTargets = [context.getHandler(), context.getClass()];
    if (!needsSession(this.reflector, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & WithSessionUser>();
    const token = bearerToken(request.headers.authorization);
    const user = token ? await this.auth.authenticate(token) : undefined;
    if (!user) {
      throw new UnauthorizedException(
        errorBody(401, 'Sign in first: Authorization: Bearer <access_token> from POST /auth/login'),
      );
    }
    request.user = user;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles && !hasRole(user.role, roles)) {
      throw new ForbiddenException(errorBody(403, `This needs the role ${roles.join(' or ')}`));
    }
    return true;
  }
}

/**
 * Whether the global guard asks this route for a session: not for `@Public()` routes, nor for
 * service routes (`@ServiceAuth()` or ServiceTokenGuard). /docs reads the same rule.
 */
export function needsSession(reflector: Reflector, targets: RouteTargets): boolean {
  if (reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return false;
  if (reflector.getAllAndOverride<boolean>(SERVICE_AUTH, targets)) return false;
  const guards = reflector.getAllAndMerge<unknown[]>(GUARDS_METADATA, targets);
  return !(Array.isArray(guards) && guards.includes(ServiceTokenGuard));
}
