import type { FastifyRequest } from 'fastify';
import type { WithSessionUser } from '../auth/session-user';

/** Who is acting, for audit fields: the signed-in user the session guard attached. */
export function actorOf(request: FastifyRequest & WithSessionUser): string {
  return request.user?.username ?? 'unknown';
}
