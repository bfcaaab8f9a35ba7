import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AgentProcess } from '../../apps/agent/test/agent-process';
import { TEST_ENROLLMENT_SECRET } from '../../test/support/services';
import { waitFor } from '../../test/support/wait-for';
import { BenchContext } from '../lib/context';
import { ProcessWatch, round } from '../lib/proc';
import type { ScenarioResult } from '../lib/result';

const CPU_TARGET_PERCENT = 1;
const RSS_TARGET_MB = 80;

/**
 * The device agent's own cost on this machine: the real agent at its default 10 s interval,
 * sending to a real Devices service, measured from /proc over a window after its first sample
 * is stored. The baseline, measured over the same window, is a bare Node process that only
 * keeps a timer: what any Node program costs before it does anything.
 */
export async function agentScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const windowS = ctx.options.quick ? 30 : 60;
  const url = await ctx.db.create('bench_agent');
  const devices = await ctx.startDevices(url, undefined);
  const deviceid = `bench-agent-${process.pid}`;
  const agent = new AgentProcess([
    '--server',
    devices.url,
    '--enroll',
    TEST_ENROLLMENT_SECRET,
    '--device-id',
    deviceid,
    '--state-dir',
    mkdtempSync(join(tmpdir(), 'raqeem-bench-agent-')),
  ]).start();
  const baseline = spawn(process.execPath, ['-e', 'setInterval(() => {}, 10_000)'], {
    stdio: 'ignore',
  });
  const pool = ctx.pool(url, 'devices');
  try {
    const stored = async (): Promise<number> =>
      (
        await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM metrics WHERE deviceid = $1',
          [deviceid],
        )
      ).rows[0].n;
    await waitFor(async () => (await stored()) >= 1, {
      timeoutMs: 40_000,
      message: 'the agent first sample stored',
    });
    const before = await stored();
    const pid = agentPid(agent);
    const watch = new ProcessWatch({ agent: () => [pid], baseline: () => [baseline.pid!] });
    watch.start();
    await delay(windowS * 1000);
    const processes = watch.stop();
    const samples = (await stored()) - before;
    const cpu = processes.agent.cpuPercent;
    const rss = processes.agent.peakRssMb;
    return {
      scenario: 'agent',
      description: `raqeem-agent at the default 10 s interval for ${windowS} s, against Devices`,
      measurements: [
        {
          label: `agent, ${windowS} s at the default interval`,
          processes,
          extra: { samplesStored: samples },
        },
      ],
      ratio: {
        of: 'agent peak RSS / bare Node peak RSS',
        value: round(rss / processes.baseline.peakRssMb, 2),
      },
      targets: [
        {
          what: 'agent CPU at the default interval',
          target: `< ${CPU_TARGET_PERCENT} % of a core`,
          value: `${cpu} %`,
          met: cpu < CPU_TARGET_PERCENT,
        },
        {
          what: 'agent peak RSS',
          target: `< ${RSS_TARGET_MB} MB`,
          value: `${rss} MB (bare Node ${processes.baseline.peakRssMb} MB)`,
          met: rss < RSS_TARGET_MB,
        },
      ],
      notes: [
        'CPU from utime+stime in /proc/<pid>/stat over the window; RSS is VmHWM, so it includes start-up.',
      ],
    };
  } finally {
    await agent.stop();
    baseline.kill('SIGTERM');
    await pool.end();
    await devices.stop();
  }
}

function agentPid(agent: AgentProcess): number {
  const pid = agent.pid;
  if (pid === undefined) throw new Error(`the agent is not running:\n${agent.logs.slice(-2000)}`);
  return pid;
}
