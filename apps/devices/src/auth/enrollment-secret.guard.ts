import { errorBody, matchesAny } from '@app/platform';
import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DevicesConfig } from '../config/devices.config';

export const ENROLLMENT_HEADER = 'x-enrollment-secret';

/** Set on the request when it carried the right enrollment secret (a token will be issued). */
export interface EnrollmentState {
  enrolled?: boolean;
}

/**
 * Registration needs `X-Enrollment-Secret: <ENROLLMENT_SECRET>` (constant-time compare). With
 * DEVICE_AUTH_REQUIRED=false a registration without it is accepted, without a token; a wrong
 * secret is refused in both modes.
 */
@Injectable()
export class EnrollmentSecretGuard implements CanActivate {
  constructor(private readonly config: DevicesConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & EnrollmentState>();
    const header = request.headers[ENROLLMENT_HEADER];
    const presented = Array.isArray(header) ? header[0] : header;
    if (presented === undefined && !this.config.DEVICE_AUTH_REQUIRED) return true;
    const secrets = this.config.ENROLLMENT_SECRET ? [this.config.ENROLLMENT_SECRET] : [];
    if (!matchesAny(presented, secrets)) {
      throw new UnauthorizedException(
        errorBody(401, 'A valid X-Enrollment-Secret is required to register a device'),
      );
    }
    request.enrolled = true;
    return true;
  }
}
