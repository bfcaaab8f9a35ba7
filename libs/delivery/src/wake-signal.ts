/**
 * Lets idle relay workers sleep until either a kick or a timeout. Kicks coalesce: any number of
 * them while nobody waits leaves one pending wake-up, so a burst of producer commits costs one
 * extra claim round, not one per commit.
 */
export class WakeSignal {
  private pending = false;
  private readonly waiters = new Set<() => void>();

  /** Wakes every sleeping worker, or the next one to sleep if none is sleeping now. */
  notify(): void {
    if (this.waiters.size === 0) {
      this.pending = true;
      return;
    }
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves on the next notify() or after `ms`, whichever comes first. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
