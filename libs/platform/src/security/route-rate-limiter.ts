import { Injectable } from '@nestjs/common';
import {
  DEFAULT_IPV6_SUBNET_PREFIX,
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedException } from './rate-limit.exception';

interface Throttler {
  name: string;
  ttl: number;
  limit: number;
  blockDuration: number;
  headerSuffix: string;
}

/**
 * The per-IP limit AppThrottlerGuard applies to Nest routes, for routes registered on Fastify
 * directly (the telemetry routes, which skip that guard with @SkipThrottle): the same
 * configured throttlers and storage, a budget per route and client address, the same
 * `X-RateLimit-*` headers and the same 429 with `Retry-After`. Only fixed numeric limits are supported (what the services configure).
 */
@Injectable()
export class RouteRateLimiter {
  private readonly throttlers: Throttler[];
  private readonly ipv6SubnetPrefix: number;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {
    const list: ThrottlerOptions[] = Array.isArray(options) ? options : options.throttlers;
    this.ipv6SubnetPrefix =
      (!Array.isArray(options) && options.ipv6SubnetPrefix) || DEFAULT_IPV6_SUBNET_PREFIX;
    this.throttlers = list.map((throttler) => {
      const { ttl, limit } = throttler;
      const blockDuration = throttler.blockDuration ?? ttl;
      if (
        typeof ttl !== 'number' ||
        typeof limit !== 'number' ||
        typeof blockDuration !== 'number'
      ) {
        throw new TypeError('RouteRateLimiter supports fixed numeric throttler limits only');
      }
      const name = throttler.name ?? 'default';
      return {
        name,
        ttl,
        limit,
        blockDuration,
        headerSuffix: name === 'default' ? '' : `-${name}`,
      };
    });
  }

  /** Counts the request against its client's budget for `route`; throws a 429 when spent. */
  async check(request: FastifyRequest, reply: FastifyReply, route: string): Promise<void> {
    const tracker = normalizeIp(request.ip, this.ipv6SubnetPrefix);
    for (const throttler of this.throttlers) {
      const { name, ttl, limit, blockDuration, headerSuffix } = throttler;
      const record = await this.storage.increment(
        `${route}-${name}-${tracker}`,
        ttl,
        limit,
        blockDuration,
        name,
      );
      if (record.isBlocked) throw new RateLimitedException(record.timeToBlockExpire);
      void reply.header(`X-RateLimit-Limit${headerSuffix}`, limit);
      void reply.header(
        `X-RateLimit-Remaining${headerSuffix}`,
        Math.max(0, limit - record.totalHits),
      );
      void reply.header(`X-RateLimit-Reset${headerSuffix}`, record.timeToExpire);
    }
  }
}
