import type { FastifyReply, FastifyRequest } from 'fastify';
import assert from 'node:assert/strict';
import { CounterThrottlerStorage } from './counter-throttler.storage';
import { RateLimitedException } from './rate-limit.exception';
import { RouteRateLimiter } from './route-rate-limiter';

function exchange(ip: string): {
  request: FastifyRequest;
  reply: FastifyReply;
  headers: Record<string, unknown>;
} {
  const headers: Record<string, unknown> = {};
  const reply = {
    header(name: string, value: unknown) {
      headers[name] = value;
      return reply;
    },
  };
  return {
    request: { ip } as FastifyRequest,
    reply: reply as unknown as FastifyReply,
    headers,
  };
}

describe('RouteRateLimiter', () => {
  it('counts each client per route like the global guard, with its headers and a 429', async () => {
    let now = 0;
    const limiter = new RouteRateLimiter(
      { throttlers: [{ ttl: 60_000, limit: 2 }] },
      new CounterThrottlerStorage(100, () => now),
    );
    const first = exchange('10.0.0.1');
    await limiter.check(first.request, first.reply, 'metrics');
    assert.deepEqual(first.headers, {
      'X-RateLimit-Limit': 2,
      'X-RateLimit-Remaining': 1,
      'X-RateLimit-Reset': 60,
    });
    await limiter.check(first.request, first.reply, 'metrics');
    // Blocked for the block duration, which defaults to the window (as in ThrottlerGuard).
    now = 20_000;
    await assert.rejects(
      limiter.check(first.request, first.reply, 'metrics'),
      (error: unknown) => error instanceof RateLimitedException && error.retryAfterSeconds === 60,
    );
    // Another route and another client have budgets of their own.
    await limiter.check(first.request, first.reply, 'alerts');
    const other = exchange('10.0.0.2');
    await limiter.check(other.request, other.reply, 'metrics');
  });

  it('refuses throttlers whose limits are computed per request', () => {
    assert.throws(
      () =>
        new RouteRateLimiter(
          [{ ttl: () => 1000, limit: 1 }],
          new CounterThrottlerStorage(100, () => 0),
        ),
      TypeError,
    );
  });
});
