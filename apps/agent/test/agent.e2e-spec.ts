import { request } from '@app/testing/http-client';
import { TEST_ENROLLMENT_SECRET, TEST_OPERATOR_KEY } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { AgentProcess } from './agent-process';

/**
 * The agent on this machine against the real Devices and Mentor services: it enrols, its
 * readings of this host reach the Mentor, a revoked token makes it enrol again, and the
 * Mentor's commands come back with their results.
 */
describe('the device agent', () => {
  let stack: Stack;
  let agent: AgentProcess;
  let stateDir: string;
  const deviceid = `agent-e2e-${process.pid}`;

  beforeAll(async () => {
    stack = await Stack.start('agent_e2e');
    stateDir = mkdtempSync(join(os.tmpdir(), 'raqeem-agent-e2e-'));
    agent = new AgentProcess([
      '--server',
      stack.devices.url,
      '--enroll',
      TEST_ENROLLMENT_SECRET,
      '--device-id',
      deviceid,
      '--state-dir',
      stateDir,
      '--interval',
      '300ms',
      '--command-poll',
      '200ms',
      '--command-timeout',
      '5s',
    ]).start();
  });

  afterAll(async () => {
    await agent?.stop();
    await stack?.close();
  });

  const mentorMetrics = async (): Promise<Record<string, unknown>[]> =>
    (
      await stack.mentorDb.query(
        `SELECT cpu_usage, memory_total, memory_used, disk_total, disk_used, swap_used,
                net_bytes_in, ts FROM metrics WHERE deviceid = $1 ORDER BY ts`,
        [deviceid],
      )
    ).rows;

  it('enrols, keeps its token in a file only its owner can read, and its host readings reach the Mentor', async () => {
    const rows = await waitFor(
      async () => {
        const found = await mentorMetrics();
        return found.length >= 3 ? found : undefined;
      },
      { timeoutMs: 30_000, message: 'three metric samples at the Mentor' },
    );
    for (const row of rows) {
      expect(Number(row.memory_total)).toBe(os.totalmem());
      expect(Number(row.memory_used)).toBeGreaterThan(0);
      expect(Number(row.memory_used)).toBeLessThanOrEqual(os.totalmem());
      expect(Number(row.disk_total)).toBeGreaterThan(0);
      expect(Number(row.disk_used)).toBeGreaterThan(0);
    }
    // CPU use needs a previous reading, so it is there from the second sample on.
    expect(
      rows.slice(1).every((row) => Number(row.cpu_usage) >= 0 && Number(row.cpu_usage) <= 100),
    ).toBe(true);
    expect(rows.slice(1).some((row) => row.net_bytes_in !== null)).toBe(true);

    const device = await stack.mentorDb.query(
      `SELECT device_name, os FROM devices WHERE deviceid = $1`,
      [deviceid],
    );
    expect(device.rows[0].device_name).toBe(os.hostname());

    const snapshot = await waitFor(
      async () => {
        const { rows: found } = await stack.mentorDb.query<{
          processes: { pid: number; process_name: string }[];
        }>(`SELECT processes FROM process_snapshots WHERE deviceid = $1`, [deviceid]);
        return found[0];
      },
      { message: 'a process snapshot at the Mentor' },
    );
    // The agent itself is one of the processes it reports.
    expect(snapshot.processes.some((p) => p.process_name === 'node')).toBe(true);

    const { rows: started } = await stack.mentorDb.query(
      `SELECT 1 FROM activities WHERE deviceid = $1 AND activity_type = 'agent_start'`,
      [deviceid],
    );
    expect(started).toHaveLength(1);

    const token = join(stateDir, 'device-token');
    expect(statSync(token).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    // The secret is never written down, nor logged.
    expect(agent.logs).not.toContain(TEST_ENROLLMENT_SECRET);
    expect(readFileSync(token, 'utf8')).not.toContain(TEST_ENROLLMENT_SECRET);
  });

  it('enrols again when its token is revoked, and its readings keep arriving', async () => {
    const tokenFile = join(stateDir, 'device-token');
    const before = readFileSync(tokenFile, 'utf8');
    const revoked = await request('POST', `${stack.api}/devices/${deviceid}/revoke-token`, {
      headers: { 'x-api-key': TEST_OPERATOR_KEY },
    });
    expect(revoked.status).toBe(204);
    const revokedAt = new Date();
    await agent.line(/enrolled deviceid=\S+ reason=HTTP 401/);
    expect(readFileSync(tokenFile, 'utf8')).not.toBe(before);
    await waitFor(
      async () => {
        const { rows } = await stack.devicesDb.query(
          `SELECT count(*)::int AS n FROM metrics WHERE deviceid = $1 AND received_at > $2`,
          [deviceid, revokedAt],
        );
        return rows[0].n >= 2;
      },
      { message: 'metrics stored after the revocation' },
    );
  });

  const command = async (text: string): Promise<Record<string, unknown>> => {
    const admin = await stack.asAdmin();
    const created = await request<{ commandid: string }>(
      'POST',
      `${stack.mentor!.url}/devices/${deviceid}/commands`,
      { headers: admin, body: { command_text: text } },
    );
    expect(created.status).toBe(201);
    return waitFor(
      async () => {
        const found = await request<Record<string, unknown>>(
          'GET',
          `${stack.mentor!.url}/devices/${deviceid}/commands/${created.body.commandid}`,
          { headers: admin },
        );
        return ['completed', 'failed'].includes(String(found.body.status)) ? found.body : undefined;
      },
      { timeoutMs: 30_000, message: `the result of ${text}` },
    );
  };

  it('runs get_info from the Mentor and reports it as completed', async () => {
    const done = await command('get_info');
    expect(done.status).toBe('completed');
    expect(done.exit_code).toBe(0);
    expect(done.started_at).not.toBeNull();
    const info = JSON.parse(String(done.result)) as Record<string, unknown>;
    expect(info.deviceid).toBe(deviceid);
    expect(info.hostname).toBe(os.hostname());
    expect(info.cpus).toBe(os.cpus().length);
  });

  it('returns its own recent log lines for get_logs', async () => {
    const done = await command('get_logs 20');
    expect(done.status).toBe('completed');
    const lines = String(done.result).split('\n');
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(String(done.result)).toContain('running command');
  });

  it('lists the machine processes for get_processes, the agent among them', async () => {
    const done = await command('get_processes memory 5000');
    expect(done.status).toBe('completed');
    const list = JSON.parse(String(done.result)) as { pid: number; memory: number }[];
    expect(list.some((p) => p.pid === agent.pid)).toBe(true);
    const memories = list.map((p) => p.memory);
    expect(memories).toEqual([...memories].sort((a, b) => b - a));
  });

  it('reports its own state for status', async () => {
    const done = await command('status');
    const status = JSON.parse(String(done.result)) as Record<string, unknown>;
    expect(status).toMatchObject({ deviceid, queue_max: 100_000, dropped_total: 0 });
    expect(status.sent).toEqual(expect.any(Number));
    expect(Number(status.sent)).toBeGreaterThan(0);
    // Enrolled at the start and again after the revocation.
    expect(status.enrolments).toBe(2);
  });

  it('refuses a command it does not run safely with a clear failed result', async () => {
    const done = await command('restart_service nginx; rm -rf /');
    expect(done.status).toBe('failed');
    expect(done.exit_code).toBe(126);
    expect(String(done.result)).toMatch(
      /refused: "restart_service" is not a command this agent runs/,
    );
  });

  it('fails a screenshot cleanly on a machine without a display', async () => {
    const done = await command('screenshot');
    expect(done.status).toBe('failed');
    expect(String(done.result)).toMatch(/no display or no screenshot tool/);
  });

  it('alerts once per threshold crossing of its real readings, not at every interval', async () => {
    const alerting = `alerting-${process.pid}`;
    // Thresholds every reading is over: each crosses at the first reading and stays over.
    const second = new AgentProcess([
      '--server',
      stack.devices.url,
      '--enroll',
      TEST_ENROLLMENT_SECRET,
      '--device-id',
      alerting,
      '--state-dir',
      mkdtempSync(join(os.tmpdir(), 'raqeem-agent-alerts-')),
      '--interval',
      '200ms',
      '--no-commands',
      '--cpu-alert',
      '0',
      '--memory-alert',
      '1',
      '--disk-alert',
      '1',
    ]).start();
    try {
      await waitFor(
        async () => {
          const { rows } = await stack.devicesDb.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM metrics WHERE deviceid = $1`,
            [alerting],
          );
          return rows[0].n >= 10;
        },
        { message: 'ten readings stored' },
      );
      expect(await second.stop()).toBe(0);
    } catch (error) {
      await second.kill();
      throw error;
    }
    const { rows } = await stack.devicesDb.query<{ alert_type: string; threshold: number }>(
      `SELECT alert_type, threshold FROM alerts WHERE deviceid = $1 ORDER BY alert_type`,
      [alerting],
    );
    expect(rows).toEqual([
      { alert_type: 'cpu_high', threshold: 0 },
      { alert_type: 'disk_high', threshold: 1 },
      { alert_type: 'memory_high', threshold: 1 },
    ]);
  });

  it('records its own stop as an activity and exits cleanly on SIGTERM', async () => {
    expect(await agent.stop()).toBe(0);
    const { rows } = await stack.devicesDb.query(
      `SELECT description FROM activities WHERE deviceid = $1 AND activity_type = 'agent_stop'`,
      [deviceid],
    );
    expect(rows).toEqual([{ description: 'raqeem-agent stopped' }]);
    expect(agent.logs).toMatch(/agent stopped queued=0 /);
  });
});
