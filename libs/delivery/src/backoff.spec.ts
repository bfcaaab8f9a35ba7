import assert from 'node:assert/strict';
import { equalJitterMs, exponentialDelayMs, retryDelayMs, type BackoffPolicy } from './backoff';

const policy: BackoffPolicy = { quickRetries: 3, quickRetryBaseMs: 1000, maxBackoffMs: 300_000 };
const lowest = (): number => 0;
const highest = (): number => 0.999999;

describe('backoff', () => {
  it('follows the quick schedule of 1 s, 2 s and 4 s for the first three failures', () => {
    assert.deepEqual(
      [1, 2, 3].map((attempt) => retryDelayMs(attempt, policy, undefined, highest)),
      [1000, 2000, 4000],
    );
  });

  it('continues exponentially with equal jitter after the quick retries', () => {
    assert.equal(retryDelayMs(4, policy, undefined, lowest), 4000);
    assert.equal(retryDelayMs(4, policy, undefined, highest), 8000);
    assert.equal(retryDelayMs(5, policy, undefined, lowest), 8000);
    assert.equal(retryDelayMs(5, policy, undefined, highest), 16_000);
  });

  it('never waits longer than maxBackoffMs, however many attempts failed', () => {
    for (const attempt of [10, 11, 50, 5000]) {
      const low = retryDelayMs(attempt, policy, undefined, lowest);
      const high = retryDelayMs(attempt, policy, undefined, highest);
      assert.equal(low, 150_000);
      assert.equal(high, 300_000);
    }
  });

  it('spreads retries across the upper half of the ceiling', () => {
    for (let i = 0; i < 200; i++) {
      const delay = equalJitterMs(10_000);
      assert.ok(delay >= 5000 && delay <= 10_000, `${delay} outside [5000, 10000]`);
    }
  });

  it('honours a longer Retry-After, but not beyond maxBackoffMs', () => {
    assert.equal(retryDelayMs(1, policy, 7000), 7000);
    assert.equal(retryDelayMs(3, policy, 500), 4000);
    assert.equal(retryDelayMs(1, policy, 3_600_000), 300_000);
  });

  it('keeps the quick schedule under a small cap', () => {
    const small = { ...policy, maxBackoffMs: 1500 };
    assert.deepEqual(
      [1, 2, 3].map((attempt) => retryDelayMs(attempt, small)),
      [1000, 1500, 1500],
    );
  });

  it('computes base * 2^(attempt - 1) capped', () => {
    assert.equal(exponentialDelayMs(1, 250, 10_000), 250);
    assert.equal(exponentialDelayMs(6, 250, 10_000), 8000);
    assert.equal(exponentialDelayMs(7, 250, 10_000), 10_000);
  });
});
