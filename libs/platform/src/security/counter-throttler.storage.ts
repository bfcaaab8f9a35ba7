import type { ThrottlerStorage } from '@nestjs/throttler';

interface Window {
  count: number;
  resetAt: number;
  blockedUntil: number;
}

/**
 * Rate-limit storage for @nestjs/throttler with one counter per key and window, so a request
 * costs O(1). The library's default storage keeps the expiry time of every hit in the window
 * and filters that array on each request: at thousands of requests per second from one
 * client address that is O(hits) per request and grows memory with the window (measured by
 * `npm run bench`: the largest single cost of an ingest request). Windows are fixed, not
 * sliding: a client may send up to twice the limit across a window boundary, which is fine
 * for abuse protection. In memory, per process, like the default.
 */
export class CounterThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<{
    totalHits: number;
    timeToExpire: number;
    isBlocked: boolean;
    timeToBlockExpire: number;
  }> {
    const now = this.now();
    const id = `${throttlerName}\0${key}`;
    let window = this.windows.get(id);
    if (!window || (window.resetAt <= now && window.blockedUntil <= now)) {
      if (!window && this.windows.size >= this.maxKeys) this.sweep();
      window = { count: 0, resetAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, window);
    }
    const seconds = (until: number): number => Math.max(1, Math.ceil((until - now) / 1000));
    if (window.blockedUntil > now) {
      return Promise.resolve({
        totalHits: window.count,
        timeToExpire: seconds(window.resetAt),
        isBlocked: true,
        timeToBlockExpire: seconds(window.blockedUntil),
      });
    }
    window.count += 1;
    if (window.count > limit) {
      window.count = limit;
      window.blockedUntil = blockDuration > 0 ? now + blockDuration : window.resetAt;
      return Promise.resolve({
        totalHits: limit + 1,
        timeToExpire: seconds(window.resetAt),
        isBlocked: true,
        timeToBlockExpire: seconds(window.blockedUntil),
      });
    }
    return Promise.resolve({
      totalHits: window.count,
      timeToExpire: seconds(window.resetAt),
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, window] of this.windows) {
      if (window.resetAt <= now && window.blockedUntil <= now) this.windows.delete(id);
    }
    // Still full of live windows: forget the oldest tenth rather than grow without bound.
    if (this.windows.size >= this.maxKeys) {
      let drop = Math.ceil(this.maxKeys / 10);
      for (const id of this.windows.keys()) {
        if (drop-- <= 0) break;
        this.windows.delete(id);
      }
    }
  }
}
