import { mulberry32 } from '@app/testing/seeded-random';
import assert from 'node:assert/strict';
import { bucketPlan } from './bucket-plan';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-20T00:00:00.000Z');

/** The buckets date_bin would produce for samples anywhere in [from, to). */
function bucketCount(from: number, to: number, width: number, origin: number): number {
  const firstBucket = Math.floor((from - origin) / width);
  const lastBucket = Math.floor((to - 1 - origin) / width);
  return lastBucket - firstBucket + 1;
}

describe('bucketPlan', () => {
  it('keeps sub-minute buckets exact and anchored at the range start', () => {
    assert.deepEqual(bucketPlan(T0 + 59_000, T0 + 61_000, 2), { width: 1000, origin: T0 + 59_000 });
    assert.deepEqual(bucketPlan(T0 + 1, T0 + 600_000, 20), { width: 30_000, origin: T0 + 1 });
  });

  it('reads whole minutes from the rollups when buckets are a minute or longer', () => {
    assert.deepEqual(bucketPlan(T0, T0 + 600_000, 10), {
      width: MINUTE,
      origin: T0,
      rollups: { from: T0, to: T0 + 600_000 },
    });
    // 86 s would not hold whole minutes: two-minute buckets, five of them instead of seven.
    assert.equal(bucketPlan(T0, T0 + 600_000, 7).width, 2 * MINUTE);
  });

  it('widens 24 hours at 300 points to five-minute buckets starting on a minute', () => {
    const from = T0 + 12_345;
    const plan = bucketPlan(from, from + 86_400_000, 300);
    assert.equal(plan.width, 5 * MINUTE);
    assert.equal(plan.origin, T0);
    assert.deepEqual(plan.rollups, { from: T0 + MINUTE, to: T0 + 86_400_000 });
  });

  it('never yields more buckets than points, whatever the range and alignment', () => {
    const random = mulberry32(42);
    for (let i = 0; i < 5000; i++) {
      const from = T0 + Math.floor(random() * 3_600_000);
      const to = from + 1 + Math.floor(random() * 8 * 86_400_000);
      const points = 1 + Math.floor(random() * 1000);
      const plan = bucketPlan(from, to, points);
      assert.ok(plan.origin <= from);
      const count = bucketCount(from, to, plan.width, plan.origin);
      assert.ok(count <= points, `${count} buckets for ${points} points (${from}..${to})`);
      if (plan.rollups) {
        assert.equal(plan.width % MINUTE, 0);
        assert.equal(plan.origin % MINUTE, 0);
        assert.ok(plan.rollups.from >= from && plan.rollups.to <= to);
        assert.ok(plan.rollups.from - from < MINUTE && to - plan.rollups.to < MINUTE);
      }
    }
  });
});
