import type { FastifyRequest } from 'fastify';

/** Who is acting, for audit fields: the signed-in user when there is one. */
export function actorOf(request: FastifyRequest): string {
  const user = (request as FastifyRequest & { user?: { username?: string; sub?: string } }).user;
  return user?.username ?? user?.sub ?? 'anonymous';
}
