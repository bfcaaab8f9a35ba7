import { ROLLUP_SLOT_MS } from './metric-rollup.sql';

export interface BucketPlan {
  /** Bucket width in ms. */
  width: number;
  /** Where bucket 0 starts (date_bin's origin); at or before `from`. */
  origin: number;
  /** The whole minutes [from, to) to read from the rollups; absent: raw rows only. */
  rollups?: { from: number; to: number };
}

/**
 * How to cut [from, to) into at most `points` buckets. Buckets of a minute or more are widened
 * to whole minutes and start on the minute `from` falls in, so every whole minute inside the
 * range lies in one bucket and can be read from the per-minute rollups; the partial minutes at
 * either end are read from the raw rows. Shorter buckets start at `from` and read the raw rows:
 * such ranges are short (under `points` minutes).
 */
export function bucketPlan(from: number, to: number, points: number): BucketPlan {
  const exact = Math.max(1, Math.ceil((to - from) / points));
  const first = Math.ceil(from / ROLLUP_SLOT_MS) * ROLLUP_SLOT_MS;
  const last = Math.floor(to / ROLLUP_SLOT_MS) * ROLLUP_SLOT_MS;
  if (exact < ROLLUP_SLOT_MS || first >= last) return { width: exact, origin: from };
  const origin = Math.floor(from / ROLLUP_SLOT_MS) * ROLLUP_SLOT_MS;
  // Sized on [origin, to), so the earlier start cannot add a bucket beyond `points`.
  const width = Math.ceil((to - origin) / points / ROLLUP_SLOT_MS) * ROLLUP_SLOT_MS;
  return { width, origin, rollups: { from: first, to: last } };
}
