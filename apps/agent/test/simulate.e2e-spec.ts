import { TEST_ENROLLMENT_SECRET } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess } from './agent-process';

const DEVICES = 200;
const SEED = 4242;

/**
 * `--simulate 200` for a minute against the real services: every synthetic device enrols with
 * its own token, sends its readings, and nothing fails.
 */
describe('the fleet simulator', () => {
  let stack: Stack;

  beforeAll(async () => {
    // The whole fleet posts from one address: the per-address limit is for real clients.
    stack = await Stack.start('agent_simulate', {
      devicesEnv: { RATE_LIMIT_PER_IP: '1000000' },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('drives 200 devices for 60 s without an error and every reading is stored', async () => {
    const simulator = new AgentProcess([
      '--server',
      stack.devices.url,
      '--enroll',
      TEST_ENROLLMENT_SECRET,
      '--simulate',
      String(DEVICES),
      '--seed',
      String(SEED),
      '--interval',
      '5s',
      '--duration',
      '60s',
      '--screenshot-every',
      '50',
      '--state-dir',
      mkdtempSync(join(tmpdir(), 'raqeem-simulate-')),
    ]).start();
    expect(await simulator.exited(150_000)).toBe(0);
    const match = /simulate: summary (\{.*\})/.exec(simulator.logs);
    expect(match).not.toBeNull();
    const summary = JSON.parse(match![1]) as Record<string, number>;
    expect(summary).toMatchObject({
      devices: DEVICES,
      enrolled: DEVICES,
      errors: 0,
      queued: 0,
      dropped: 0,
    });
    // Not a terminal: plain progress lines.
    expect(simulator.logs).toMatch(
      /simulate: devices 200\/200 {2}sent [\d,]+ {2}queued [\d,]+ {2}errors 0 /,
    );

    const { rows } = await stack.devicesDb.query<{ deviceid: string; n: number }>(
      `SELECT deviceid, count(*)::int AS n FROM metrics WHERE deviceid LIKE $1 GROUP BY deviceid`,
      [`sim-${SEED}-%`],
    );
    expect(rows).toHaveLength(DEVICES);
    // A reading every 5 s for 60 s; the groups start spread over the first interval.
    for (const row of rows) {
      expect(row.n).toBeGreaterThanOrEqual(11);
      expect(row.n).toBeLessThanOrEqual(13);
    }
    const total = rows.reduce((sum, row) => sum + row.n, 0);
    const shots = await stack.devicesDb.query<{ width: number; height: number }>(
      `SELECT width, height FROM screenshots WHERE deviceid LIKE $1`,
      [`sim-${SEED}-%`],
    );
    expect(shots.rows.length).toBeGreaterThan(0);
    expect(shots.rows.every((s) => s.width === 320 && s.height === 200)).toBe(true);
    await waitFor(
      async () => {
        const { rows: mentor } = await stack.mentorDb.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM metrics WHERE deviceid LIKE $1`,
          [`sim-${SEED}-%`],
        );
        return mentor[0].n === total;
      },
      { timeoutMs: 60_000, message: 'every simulated metric at the Mentor' },
    );
  }, 240_000);
});
