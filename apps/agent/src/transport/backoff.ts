/** The first waits after consecutive failures, in seconds; after them the cap, jittered. */
export const BACKOFF_STEPS_S = [1, 2, 4, 8, 16];

/**
 * Retry waits: 1, 2, 4, 8, 16 s, then a random wait between half the cap and the cap, so a
 * fleet that lost its server at the same moment does not come back in step.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  get attempts(): number {
    return this.failures;
  }

  /** The wait before the next try after one more failure (at least `floorMs`, e.g. Retry-After). */
  fail(floorMs = 0): number {
    const step = BACKOFF_STEPS_S[this.failures];
    this.failures += 1;
    const wait =
      step !== undefined
        ? Math.min(step * 1000, this.capMs)
        : this.capMs / 2 + (this.random() * this.capMs) / 2;
    return Math.round(Math.max(wait, floorMs));
  }

  reset(): void {
    this.failures = 0;
  }
}
