import type { UserRole } from '@app/contracts';

/** What each role may act as: an admin can do everything a viewer can. */
const GRANTS: Record<UserRole, readonly UserRole[]> = {
  admin: ['admin', 'viewer'],
  viewer: ['viewer'],
};

/** True when a user of `role` may use a route that requires any of `required`. */
export function hasRole(role: string, required: readonly UserRole[]): boolean {
  if (required.length === 0) return true;
  if (!Object.hasOwn(GRANTS, role)) return false;
  const grants = GRANTS[role as UserRole];
  return required.some((needed) => grants.includes(needed));
}
