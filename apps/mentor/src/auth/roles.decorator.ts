import type { UserRole } from '@app/contracts';
import { SetMetadata } from '@nestjs/common';

export const ROLES = 'raqeem:roles';

/** Restricts a route (or controller) to users holding one of these roles (admin covers viewer). */
export const Roles = (...roles: UserRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES, roles);
