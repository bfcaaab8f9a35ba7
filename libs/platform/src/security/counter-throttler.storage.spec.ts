import assert from 'node:assert/strict';
import { CounterThrottlerStorage } from './counter-throttler.storage';

describe('CounterThrottlerStorage', () => {
  it('allows the limit in a window, refuses the next with the time until the window ends', async () => {
    let now = 1_000_000;
    const storage = new CounterThrottlerStorage(100, () => now);
    for (let i = 1; i <= 3; i += 1) {
      const hit = await storage.increment('ip', 60_000, 3, 0, 'default');
      assert.equal(hit.isBlocked, false);
      assert.equal(hit.totalHits, i);
    }
    now += 15_000;
    const refused = await storage.increment('ip', 60_000, 3, 0, 'default');
    assert.equal(refused.isBlocked, true);
    assert.equal(refused.timeToBlockExpire, 45);
    const other = await storage.increment('other-ip', 60_000, 3, 0, 'default');
    assert.equal(other.isBlocked, false, 'keys are counted apart');
    now += 45_000;
    const next = await storage.increment('ip', 60_000, 3, 0, 'default');
    assert.equal(next.isBlocked, false, 'a new window starts afresh');
    assert.equal(next.totalHits, 1);
  });

  it('keeps a block for its block duration when one is given', async () => {
    let now = 0;
    const storage = new CounterThrottlerStorage(100, () => now);
    await storage.increment('k', 1000, 1, 5000, 't');
    assert.equal((await storage.increment('k', 1000, 1, 5000, 't')).isBlocked, true);
    now = 2000;
    const still = await storage.increment('k', 1000, 1, 5000, 't');
    assert.equal(still.isBlocked, true);
    assert.equal(still.timeToBlockExpire, 3);
    now = 5000;
    assert.equal((await storage.increment('k', 1000, 1, 5000, 't')).isBlocked, false);
  });

  it('costs the same per request however many requests the window holds', async () => {
    const storage = new CounterThrottlerStorage();
    const time = async (n: number): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < n; i += 1) await storage.increment(`key-${n}`, 60_000, 1e9, 0, 'default');
      return (performance.now() - t0) / n;
    };
    await time(1000);
    const small = await time(2000);
    const large = await time(50_000);
    assert.ok(large < small * 5 + 0.01, `per-request cost grew from ${small} to ${large} ms`);
  });

  it('stays bounded in keys', async () => {
    const storage = new CounterThrottlerStorage(100);
    for (let i = 0; i < 1000; i += 1) await storage.increment(`key-${i}`, 60_000, 10, 0, 'default');
    const size = (storage as unknown as { windows: Map<string, unknown> }).windows.size;
    assert.ok(size <= 100, `${size} keys kept`);
  });
});
