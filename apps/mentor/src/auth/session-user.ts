import type { UserRole } from '@app/contracts';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The signed-in user the session guard attaches to the request. */
export interface SessionUser {
  id: string;
  username: string;
  role: UserRole;
}

export interface WithSessionUser {
  user?: SessionUser;
}

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): SessionUser | undefined =>
    context.switchToHttp().getRequest<WithSessionUser>().user,
);
