import { bearerToken, errorBody } from '@app/platform';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service';
import type { WithSessionUser } from '../auth/session-user';

/**
 * The event stream, for a signed-in user: `?ticket=` from POST /events/ticket (browsers, whose
 * EventSource cannot send headers) or `Authorization: Bearer <access_token>` (other clients).
 * Checked before the stream starts, so a refusal is a plain 401, not an event.
 */
@Injectable()
export class EventsAuthGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & WithSessionUser>();
    const { ticket } = request.query as { ticket?: unknown };
    const token = bearerToken(request.headers.authorization);
    const user =
      typeof ticket === 'string' && ticket !== ''
        ? await this.auth.authenticateEventsTicket(ticket)
        : token
          ? await this.auth.authenticate(token)
          : undefined;
    if (!user) {
      throw new UnauthorizedException(
        errorBody(401, 'Open the stream with a ticket from POST /events/ticket'),
      );
    }
    request.user = user;
    return true;
  }
}
