export interface GroupCommitOptions<J> {
  /** Rows one group may hold; a job larger than this still runs, alone. */
  maxRows: number;
  /** Groups being written at once (each holds one pooled connection). */
  maxConcurrent: number;
  /**
   * Rows that must be waiting before a group starts while another is still being written.
   * Below that, requests wait for the running group and join the next one: fewer, larger
   * transactions cost less per row on both sides than many small ones in parallel, and the
   * wait is one transaction at most. Under heavier load the queue passes it and groups run in
   * parallel, up to maxConcurrent. Default 1: always in parallel.
   */
  parallelMinRows?: number;
  rowsOf(job: J): number;
}

interface Pending<J, R> {
  job: J;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: concurrent requests that arrive while a transaction is being written are
 * queued and written together in the next one, so the per-transaction cost (round trips,
 * WAL flush) is shared. Every caller still learns its own result only after the commit that
 * holds its rows. If a group fails, each of its jobs is retried alone, so one job's failure
 * never fails another's request.
 */
export class GroupCommitter<J, R> {
  private queue: Pending<J, R>[] = [];
  private queuedRows = 0;
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly write: (jobs: J[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions<J>,
  ) {}

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.queuedRows += this.options.rowsOf(job);
      this.schedule();
    });
  }

  /** Jobs waiting for a transaction (for metrics and tests). */
  get queued(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || !this.mayStartGroup()) return;
    this.scheduled = true;
    // setImmediate lets requests that arrived in the same tick join this group.
    setImmediate(() => {
      this.scheduled = false;
      this.flushNext();
    });
  }

  private mayStartGroup(): boolean {
    if (this.queue.length === 0 || this.running >= this.options.maxConcurrent) return false;
    return this.running === 0 || this.queuedRows >= (this.options.parallelMinRows ?? 1);
  }

  private flushNext(): void {
    if (!this.mayStartGroup()) return;
    const group: Pending<J, R>[] = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const size = this.options.rowsOf(this.queue[0].job);
      if (group.length > 0 && rows + size > this.options.maxRows) break;
      group.push(this.queue.shift()!);
      rows += size;
    }
    this.queuedRows -= rows;
    this.running += 1;
    void this.commit(group).finally(() => {
      this.running -= 1;
      this.schedule();
    });
    this.schedule();
  }

  private async commit(group: Pending<J, R>[]): Promise<void> {
    try {
      const results = await this.write(group.map((p) => p.job));
      group.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      // Isolate the culprit: each job in its own transaction.
      for (const pending of group) {
        try {
          const [result] = await this.write([pending.job]);
          pending.resolve(result);
        } catch (single) {
          pending.reject(single);
        }
      }
    }
  }
}
