import { FaultProxy } from '@app/testing/fault-proxy';
import { TEST_ENROLLMENT_SECRET } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess } from './agent-process';

/**
 * Offline first, end to end: the agent talks to the real Devices service through a proxy that
 * notes the id of every metric record in every request (the oracle), while the test stops
 * Devices, or SIGKILLs the agent with a request in flight. Whatever was ever sent must end up
 * stored exactly once, and what was queued when things broke must arrive.
 */
describe('the agent offline', () => {
  let stack: Stack;
  let proxy: FaultProxy;
  let proxyUrl: string;
  /** Metric ids in request bodies, once per request that carried them. */
  let sent: string[];
  let hold = false;
  /** Devices "down" for telemetry: 503 for everything but enrolment. */
  let refuse = false;
  const held = new Set<string>();

  beforeAll(async () => {
    stack = await Stack.start('agent_offline');
    proxy = new FaultProxy(stack.devices.url);
    proxyUrl = await proxy.start();
    proxy.rule = (path, body) => {
      if (refuse && !path.endsWith('/register')) return { kind: 'respond', status: 503 };
      if (!path.endsWith('/metrics')) return { kind: 'pass' };
      const ids = (JSON.parse(body) as { id: string }[]).map((record) => record.id);
      sent.push(...ids);
      if (!hold) return { kind: 'pass' };
      for (const id of ids) held.add(id);
      // Reaches Devices only after the agent is gone.
      return { kind: 'delay', ms: 2500 };
    };
  });

  afterAll(async () => {
    await proxy?.stop();
    await stack?.close();
  });

  beforeEach(() => {
    sent = [];
    hold = false;
    refuse = false;
    held.clear();
  });

  const startAgent = (deviceid: string, stateDir: string, ...extra: string[]): AgentProcess =>
    new AgentProcess([
      ...extra,
      '--server',
      proxyUrl,
      '--enroll',
      TEST_ENROLLMENT_SECRET,
      '--device-id',
      deviceid,
      '--state-dir',
      stateDir,
      '--interval',
      '200ms',
      '--batch-size',
      '10',
      '--max-backoff',
      '1s',
      '--no-commands',
    ]).start();

  const stored = async (db: 'devicesDb' | 'mentorDb', deviceid: string): Promise<string[]> =>
    (
      await stack[db].query<{ id: string }>(`SELECT id FROM metrics WHERE deviceid = $1`, [
        deviceid,
      ])
    ).rows.map((row) => row.id);

  /** The metric ids waiting in the agent's queue file, read beside the running agent. */
  const queued = (stateDir: string): string[] => {
    const db = new Database(join(stateDir, 'queue.db'), { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      return (
        db.prepare(`SELECT record_id FROM queue WHERE kind = 'metrics'`).all() as {
          record_id: string;
        }[]
      ).map((row) => row.record_id);
    } finally {
      db.close();
    }
  };

  it('queues while Devices is down, drains when it is back, and loses and doubles nothing', async () => {
    const deviceid = `offline-${process.pid}`;
    const stateDir = mkdtempSync(join(tmpdir(), 'raqeem-agent-offline-'));
    const agent = startAgent(deviceid, stateDir);
    try {
      await waitFor(async () => (await stored('devicesDb', deviceid)).length >= 3, {
        message: 'the first metrics stored',
      });
      await stack.devices.stop();
      const early = await waitFor(
        () => {
          const ids = queued(stateDir);
          return ids.length >= 5 ? ids : undefined;
        },
        { message: 'metrics queued while Devices is down' },
      );
      const backlog = await waitFor(
        () => {
          const ids = queued(stateDir);
          return ids.length >= early.length + 10 ? ids : undefined;
        },
        { message: 'the queue growing' },
      );
      await stack.devices.restart();
      await waitFor(
        async () => {
          const have = new Set(await stored('devicesDb', deviceid));
          return backlog.every((id) => have.has(id));
        },
        { timeoutMs: 30_000, message: 'the backlog stored once Devices is back' },
      );
      expect(await agent.stop()).toBe(0);
    } catch (error) {
      await agent.kill();
      throw error;
    }
    const stop = /agent stopped queued=(\d+) collected=(\{[^}]*\})/.exec(agent.logs);
    expect(stop).not.toBeNull();
    expect(Number(stop![1])).toBe(0);
    const collected = JSON.parse(stop![2]) as { metrics: number };

    const devices = await stored('devicesDb', deviceid);
    expect(devices).toHaveLength(collected.metrics);
    // Every id ever sent is stored, and nothing else: each record once.
    expect(new Set(devices)).toEqual(new Set(sent));
    // Some records were sent more than once (tries during the outage), and are stored once.
    expect(sent.length).toBeGreaterThan(new Set(sent).size);
    await waitFor(async () => (await stored('mentorDb', deviceid)).length === collected.metrics, {
      timeoutMs: 30_000,
      message: 'the Mentor holding every metric once',
    });
  });

  it('resumes from its queue after a SIGKILL with a request in flight, without duplicates', async () => {
    const deviceid = `killed-${process.pid}`;
    const stateDir = mkdtempSync(join(tmpdir(), 'raqeem-agent-killed-'));
    const first = startAgent(deviceid, stateDir);
    let second: AgentProcess | undefined;
    try {
      await waitFor(async () => (await stored('devicesDb', deviceid)).length >= 3, {
        message: 'the first metrics stored',
      });
      hold = true;
      await waitFor(() => held.size > 0, { message: 'a metrics request in flight' });
      await first.kill();
      hold = false;
      // Not acknowledged, so still queued: the restarted agent sends them again.
      const atKill = queued(stateDir);
      expect([...held].every((id) => atKill.includes(id))).toBe(true);
      // The request in flight at the kill reaches Devices after all.
      await waitFor(
        async () => {
          const have = new Set(await stored('devicesDb', deviceid));
          return [...held].every((id) => have.has(id));
        },
        { message: 'the delayed request stored' },
      );

      second = startAgent(deviceid, stateDir);
      await waitFor(
        async () => {
          const have = new Set(await stored('devicesDb', deviceid));
          const resent = [...held].every((id) => sent.filter((s) => s === id).length >= 2);
          return resent && atKill.every((id) => have.has(id));
        },
        { timeoutMs: 30_000, message: 'the queue at the kill sent again and stored' },
      );
      expect(await second.stop()).toBe(0);
    } catch (error) {
      await first.kill();
      await second?.kill();
      throw error;
    }
    expect(/agent stopped queued=0 /.test(second.logs)).toBe(true);
    const devices = await stored('devicesDb', deviceid);
    expect(new Set(devices)).toEqual(new Set(sent));
    await waitFor(async () => (await stored('mentorDb', deviceid)).length === devices.length, {
      timeoutMs: 30_000,
      message: 'the Mentor holding every metric once',
    });
  });

  it('drops the oldest records past its queue cap and reports how many in an alert', async () => {
    const deviceid = `overflow-${process.pid}`;
    const stateDir = mkdtempSync(join(tmpdir(), 'raqeem-agent-overflow-'));
    refuse = true;
    const agent = startAgent(deviceid, stateDir, '--queue-max', '20');
    try {
      // Past the cap while the server refuses everything.
      await waitFor(
        () =>
          /queue full, oldest records dropped/.test(agent.logs) && queued(stateDir).length >= 15,
        {
          message: 'the queue at its cap',
        },
      );
      refuse = false;
      await waitFor(
        async () => {
          const { rows } = await stack.devicesDb.query(
            `SELECT 1 FROM alerts WHERE deviceid = $1 AND alert_type = 'agent_queue_overflow'`,
            [deviceid],
          );
          return rows.length > 0;
        },
        { timeoutMs: 30_000, message: 'the overflow alert stored' },
      );
      expect(await agent.stop()).toBe(0);
    } catch (error) {
      await agent.kill();
      throw error;
    }
    const stop = /agent stopped queued=(\d+) collected=(\{[^}]*\})/.exec(agent.logs);
    expect(stop).not.toBeNull();
    const collected = JSON.parse(stop![2]) as { metrics: number };
    const { rows: alerts } = await stack.devicesDb.query<{
      value: number;
      threshold: number;
      level: string;
    }>(
      `SELECT value, threshold, level FROM alerts WHERE deviceid = $1 AND alert_type = 'agent_queue_overflow'`,
      [deviceid],
    );
    expect(alerts.every((a) => a.threshold === 20 && a.level === 'warning' && a.value > 0)).toBe(
      true,
    );
    const dropped = alerts.reduce((sum, a) => sum + a.value, 0);
    const metrics = (await stored('devicesDb', deviceid)).length;
    expect(metrics).toBeLessThan(collected.metrics);
    // Every metric that did not arrive was counted in an alert (the count covers every kind).
    expect(dropped).toBeGreaterThanOrEqual(collected.metrics - metrics);
  });
});
