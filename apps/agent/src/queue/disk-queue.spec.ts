import { compiledFile } from '@app/testing/repo-root';
import { waitFor } from '@app/testing/wait-for';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskQueue } from './disk-queue';
import type { NewQueueItem } from './queue-item';

const metric = (n: number, deviceid = 'dev-1'): NewQueueItem => ({
  deviceid,
  kind: 'metrics',
  recordId: `id-${n}`,
  body: { id: `id-${n}`, cpu_usage: n },
});

describe('DiskQueue', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'raqeem-queue-'));
  });

  it('gives items back oldest first and forgets them only when acknowledged', () => {
    const queue = new DiskQueue(join(dir, 'q.db'), { maxItems: 100 });
    queue.push([metric(1), metric(2), metric(3)]);
    const first = queue.peek('dev-1', 'metrics', 2);
    expect(first.map((item) => item.recordId)).toEqual(['id-1', 'id-2']);
    expect(queue.peek('dev-1', 'metrics', 2).map((item) => item.recordId)).toEqual([
      'id-1',
      'id-2',
    ]);
    queue.ack(first.map((item) => item.seq));
    expect(queue.size).toBe(1);
    expect(queue.peek('dev-1', 'metrics', 10)[0].body).toEqual({ id: 'id-3', cpu_usage: 3 });
    queue.close();
  });

  it('keeps what was queued across a restart', () => {
    const file = join(dir, 'q.db');
    const queue = new DiskQueue(file, { maxItems: 100 });
    queue.push([metric(1), { ...metric(2), kind: 'screenshots', blob: Buffer.from([1, 2, 3]) }]);
    queue.close();
    const reopened = new DiskQueue(file, { maxItems: 100 });
    expect(reopened.size).toBe(2);
    expect(reopened.peek('dev-1', 'screenshots', 1)[0].blob).toEqual(Buffer.from([1, 2, 3]));
    expect(reopened.lanes().map((lane) => lane.kind)).toEqual(['metrics', 'screenshots']);
    reopened.close();
  });

  it('drops the oldest items past its cap, counts them, and marks them reported with the alert', () => {
    const queue = new DiskQueue(join(dir, 'q.db'), { maxItems: 5 });
    queue.push([1, 2, 3, 4].map((n) => metric(n)));
    expect(queue.push([5, 6, 7].map((n) => metric(n)))).toBe(2);
    expect(queue.size).toBe(5);
    expect(queue.peek('dev-1', 'metrics', 10).map((item) => item.recordId)).toEqual([
      'id-3',
      'id-4',
      'id-5',
      'id-6',
      'id-7',
    ]);
    expect(queue.droppedTotal).toBe(2);
    expect(queue.droppedUnreported).toBe(2);
    queue.push([metric(8)], 2);
    expect(queue.droppedUnreported).toBe(1);
    expect(queue.droppedTotal).toBe(3);
    queue.close();
  });

  it('keeps only the newest process snapshot of a device', () => {
    const queue = new DiskQueue(join(dir, 'q.db'), { maxItems: 100 });
    const snapshot = (n: number, deviceid: string): NewQueueItem => ({
      deviceid,
      kind: 'processes',
      recordId: `s-${n}`,
      body: [{ pid: n }],
      replaces: true,
    });
    queue.push([snapshot(1, 'a'), snapshot(2, 'b')]);
    queue.push([snapshot(3, 'a')]);
    expect(queue.size).toBe(2);
    expect(queue.peek('a', 'processes', 10).map((item) => item.recordId)).toEqual(['s-3']);
    queue.close();
  });

  it('survives a SIGKILL in the middle of writes: whole pushes only, every reported one kept', async () => {
    const file = join(dir, 'crash.db');
    // The compiled queue in a child process that pushes 20-item batches as fast as it can and
    // prints the size after each commit.
    const script = `
      const { DiskQueue } = require(${JSON.stringify(compiledFile('apps/agent/src/queue/disk-queue.ts'))});
      const queue = new DiskQueue(${JSON.stringify(file)}, { maxItems: 1e9 });
      const pad = 'x'.repeat(2000);
      for (let n = 0; ; n++) {
        const items = Array.from({ length: 20 }, (_, i) => ({
          deviceid: 'd', kind: 'metrics', recordId: n + '-' + i, body: { n, i, pad },
        }));
        queue.push(items);
        process.stdout.write('committed ' + queue.size + '\\n');
      }`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(() => (out.match(/committed/g) ?? []).length >= 50, {
      timeoutMs: 30_000,
      message: () => `fifty commits in the child: ${out.slice(-500)}`,
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const reported = Math.max(...[...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1])));

    const raw = new Database(file);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    const queue = new DiskQueue(file, { maxItems: 1e9 });
    expect(queue.size).toBeGreaterThanOrEqual(reported);
    expect(queue.size % 20).toBe(0);
    const items = queue.peek('d', 'metrics', queue.size);
    expect(items.every((item) => (item.body as { pad: string }).pad.length === 2000)).toBe(true);
    queue.close();
  });
});
