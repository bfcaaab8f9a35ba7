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

  it('keeps one counter per key and window, not a record per hit, however many hits it holds', async () => {
    // The property that keeps a request O(1); its cost in time is measured by npm run bench.
    const storage = new CounterThrottlerStorage();
    for (let i = 0; i < 50_000; i += 1) await storage.increment('busy', 60_000, 1e9, 0, 'default');
    const windows = (storage as unknown as { windows: Map<string, Record<string, unknown>> })
      .windows;
    assert.equal(windows.size, 1);
    const [window] = windows.values();
    assert.equal(window.count, 50_000);
    for (const value of Object.values(window)) assert.equal(typeof value, 'number');
  });

  it('stays bounded in keys', async () => {
    const storage = new CounterThrottlerStorage(100);
    for (let i = 0; i < 1000; i += 1) await storage.increment(`key-${i}`, 60_000, 10, 0, 'default');
    const size = (storage as unknown as { windows: Map<string, unknown> }).windows.size;
    assert.ok(size <= 100, `${size} keys kept`);
  });
});
