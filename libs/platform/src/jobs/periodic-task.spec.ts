import assert from 'node:assert/strict';
import { PeriodicTask } from './periodic-task';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PeriodicTask', () => {
  it('runs again after each run, logs a failure and keeps its schedule', async () => {
    const warnings: string[] = [];
    let runs = 0;
    const task = new PeriodicTask(
      'Job',
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('boom');
      },
      { warn: (message) => warnings.push(message) },
    );
    task.start(5, 1);
    while (runs < 3) await tick(2);
    await task.stop();
    assert.deepEqual(warnings, ['Job failed: Error: boom']);
  });

  it('waits for the run in progress on stop and runs no more after it', async () => {
    let finished = false;
    let runs = 0;
    const task = new PeriodicTask(
      'Job',
      async () => {
        runs += 1;
        await tick(20);
        finished = true;
      },
      { warn: () => undefined },
    );
    task.start(1, 0);
    while (runs === 0) await tick(1);
    await task.stop();
    assert.equal(finished, true);
    await tick(10);
    assert.equal(runs, 1);
  });
});
