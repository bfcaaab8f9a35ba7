import { TEST_ENROLLMENT_SECRET } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceSession } from '../src/identity/device-session';
import { AgentLogger } from '../src/log/agent-logger';
import { DiskQueue } from '../src/queue/disk-queue';
import type { NewQueueItem } from '../src/queue/queue-item';
import { DevicesClient } from '../src/transport/devices-client';
import { QueueSender } from '../src/transport/queue-sender';

/**
 * The agent's sender against the real Devices service, on the answers a well-behaved agent
 * rarely meets: records the server refuses, and a body over its limit.
 */
describe('the agent sender', () => {
  let stack: Stack;
  const lines: string[] = [];

  beforeAll(async () => {
    // A small body limit, so a batch of ordinary metrics is over it.
    stack = await Stack.start('agent_sender', {
      mentor: false,
      devicesEnv: { BODY_LIMIT: '8192' },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  const run = async (
    deviceid: string,
    items: NewQueueItem[],
    batchSize: number,
  ): Promise<QueueSender> => {
    const queue = new DiskQueue(join(mkdtempSync(join(tmpdir(), 'raqeem-sender-')), 'q.db'), {
      maxItems: 10_000,
    });
    const logger = new AgentLogger((line) => lines.push(line));
    const client = new DevicesClient(stack.devices.url, 10_000);
    let token: string | undefined;
    const session = new DeviceSession(
      deviceid,
      () => ({ deviceid }),
      client,
      TEST_ENROLLMENT_SECRET,
      { load: () => token, save: (t) => (token = t), clear: () => (token = undefined) },
      logger,
    );
    const sender = new QueueSender(
      queue,
      client,
      (id) => (id === deviceid ? session : undefined),
      { batchSize, concurrency: 1, maxBackoffMs: 1000 },
      logger,
    );
    queue.push(items);
    sender.start();
    try {
      await waitFor(() => queue.size === 0, {
        timeoutMs: 30_000,
        message: () => `the queue drained:\n${lines.slice(-10).join('\n')}`,
      });
    } finally {
      await sender.stop();
      queue.close();
    }
    return sender;
  };

  const metric = (deviceid: string, cpu: number): NewQueueItem => {
    const id = randomUUID();
    return {
      deviceid,
      kind: 'metrics',
      recordId: id,
      body: { id, timestamp: new Date().toISOString(), cpu_usage: cpu, memory_total: 8e9 },
    };
  };

  const storedIds = async (deviceid: string): Promise<string[]> =>
    (
      await stack.devicesDb.query<{ id: string }>('SELECT id FROM metrics WHERE deviceid = $1', [
        deviceid,
      ])
    ).rows.map((row) => row.id);

  it('drops only the records the server names as invalid and delivers the rest', async () => {
    const deviceid = `refused-${process.pid}`;
    const items = [metric(deviceid, 10), metric(deviceid, 500), metric(deviceid, 30)];
    const sender = await run(deviceid, items, 10);
    expect(sender.stats.rejected).toBe(1);
    expect(new Set(await storedIds(deviceid))).toEqual(
      new Set([items[0].recordId, items[2].recordId]),
    );
    expect(
      lines.some((line) => /server refused records, dropped kind=metrics count=1/.test(line)),
    ).toBe(true);
  });

  it('halves its batches when a body is over the server limit, and delivers every record', async () => {
    const deviceid = `large-${process.pid}`;
    const items = Array.from({ length: 200 }, (_, i) => metric(deviceid, i % 100));
    const sender = await run(deviceid, items, 200);
    expect(sender.stats.rejected).toBe(0);
    expect(sender.stats.requests).toBeGreaterThan(1);
    expect(new Set(await storedIds(deviceid))).toEqual(new Set(items.map((item) => item.recordId)));
  });
});
