import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { RateLimitedException } from './rate-limit.exception';

/** Probes and scrapes come every few seconds from one address; they are never limited. */
const UNLIMITED = /^\/(health|metrics)(\/|\?|$)/;

/**
 * The per-IP limit of both services (@nestjs/throttler, in memory per process). A refused
 * request gets the spec's error body and a plain `Retry-After` header, whichever named
 * throttler refused it.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return UNLIMITED.test(request.url);
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedException(detail.timeToBlockExpire);
  }
}
