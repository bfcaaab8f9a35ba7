import assert from 'node:assert/strict';
import { GroupCommitter } from './group-commit';

interface Job {
  name: string;
  rows: number;
  fail?: boolean;
}

function recorder(options: { delayMs?: number } = {}): {
  groups: string[][];
  write: (jobs: Job[]) => Promise<string[]>;
} {
  const groups: string[][] = [];
  return {
    groups,
    write: async (jobs: Job[]) => {
      groups.push(jobs.map((j) => j.name));
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      if (jobs.some((j) => j.fail)) throw new Error('constraint violated');
      return jobs.map((j) => `done:${j.name}`);
    },
  };
}

describe('GroupCommitter', () => {
  it('writes jobs submitted in the same tick in one group and answers each caller', async () => {
    const r = recorder();
    const committer = new GroupCommitter(r.write, {
      maxRows: 100,
      maxConcurrent: 1,
      rowsOf: (j: Job) => j.rows,
    });
    const results = await Promise.all(
      ['a', 'b', 'c'].map((name) => committer.submit({ name, rows: 1 })),
    );
    assert.deepEqual(results, ['done:a', 'done:b', 'done:c']);
    assert.deepEqual(r.groups, [['a', 'b', 'c']]);
  });

  it('queues jobs that arrive during a write into the next group', async () => {
    const groups: string[][] = [];
    let release!: () => void;
    const firstWriteHeld = new Promise<void>((resolve) => (release = resolve));
    const committer = new GroupCommitter(
      async (jobs: Job[]) => {
        groups.push(jobs.map((j) => j.name));
        // The first write stays open until the test has queued more jobs behind it.
        if (groups.length === 1) await firstWriteHeld;
        return jobs.map((j) => j.name);
      },
      { maxRows: 100, maxConcurrent: 1, rowsOf: (j: Job) => j.rows },
    );
    const first = committer.submit({ name: 'first', rows: 1 });
    while (groups.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const later = ['x', 'y'].map((name) => committer.submit({ name, rows: 1 }));
    assert.equal(committer.queued, 2);
    release();
    await Promise.all([first, ...later]);
    assert.deepEqual(groups, [['first'], ['x', 'y']]);
  });

  it('splits groups at the row limit but never splits one job', async () => {
    const r = recorder();
    const committer = new GroupCommitter(r.write, {
      maxRows: 10,
      maxConcurrent: 1,
      rowsOf: (j: Job) => j.rows,
    });
    await Promise.all([
      committer.submit({ name: 'six', rows: 6 }),
      committer.submit({ name: 'five', rows: 5 }),
      committer.submit({ name: 'big', rows: 50 }),
    ]);
    assert.deepEqual(r.groups, [['six'], ['five'], ['big']]);
  });

  it('fails only the job that cannot be written when its group fails', async () => {
    const r = recorder();
    const committer = new GroupCommitter(r.write, {
      maxRows: 100,
      maxConcurrent: 1,
      rowsOf: (j: Job) => j.rows,
    });
    const outcomes = await Promise.allSettled([
      committer.submit({ name: 'good1', rows: 1 }),
      committer.submit({ name: 'bad', rows: 1, fail: true }),
      committer.submit({ name: 'good2', rows: 1 }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(r.groups, [['good1', 'bad', 'good2'], ['good1'], ['bad'], ['good2']]);
  });

  it('runs up to maxConcurrent groups at once', async () => {
    let running = 0;
    let peak = 0;
    const committer = new GroupCommitter(
      async (jobs: Job[]) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
        return jobs.map((j) => j.name);
      },
      { maxRows: 1, maxConcurrent: 3, rowsOf: (j: Job) => j.rows },
    );
    await Promise.all(
      Array.from({ length: 9 }, (_, i) => committer.submit({ name: `j${i}`, rows: 1 })),
    );
    assert.equal(peak, 3);
    assert.equal(committer.queued, 0);
  });

  it('starts a group beside a running one only once enough rows wait', async () => {
    const groups: string[][] = [];
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const committer = new GroupCommitter(
      async (jobs: Job[]) => {
        groups.push(jobs.map((j) => j.name));
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return jobs.map((j) => j.name);
      },
      { maxRows: 1000, maxConcurrent: 3, parallelMinRows: 10, rowsOf: (j: Job) => j.rows },
    );
    const done = [committer.submit({ name: 'first', rows: 1 })];
    while (groups.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // A few rows wait for the running group instead of starting their own.
    done.push(committer.submit({ name: 'small', rows: 3 }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(groups, [['first']]);
    // Enough rows waiting: a second group runs beside the first.
    done.push(committer.submit({ name: 'big', rows: 8 }));
    while (groups.length === 1) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(groups, [['first'], ['small', 'big']]);
    assert.equal(peak, 2);
    while (releases.length > 0) releases.shift()!();
    assert.deepEqual(await Promise.all(done), ['first', 'small', 'big']);
  });
});
