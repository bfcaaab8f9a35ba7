/** The seed of a randomised test run: FUZZ_SEED=<n> replays one, otherwise a fresh one. */
export function fuzzSeed(): number {
  return Number(process.env.FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
}

/** A small seeded PRNG (mulberry32) for tests that must replay: numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
