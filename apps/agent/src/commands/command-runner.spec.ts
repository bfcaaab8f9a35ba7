import { cap, CommandRunner, EXIT, MAX_RESULT_BYTES, type CommandContext } from './command-runner';

function context(overrides: Partial<CommandContext> = {}): CommandContext {
  return {
    info: () => ({ hostname: 'box' }),
    status: () => ({ queued: 3 }),
    processes: async () => [
      { pid: 1, process_name: 'init', cpu: 0.1, memory: 900 },
      { pid: 2, process_name: 'busy', cpu: 80, memory: 100 },
      { pid: 3, process_name: 'fat', cpu: 1, memory: 5000 },
    ],
    logs: (count) => Array.from({ length: count }, (_, i) => `line ${i}`),
    screenshot: async () => 'screenshot queued',
    ...overrides,
  };
}

describe('CommandRunner', () => {
  it('runs a command it knows and reports its output as completed', async () => {
    const outcome = await new CommandRunner(context(), 1000).run('get_info');
    expect(outcome).toEqual({
      status: 'completed',
      result: JSON.stringify({ hostname: 'box' }, null, 2),
      exit_code: 0,
    });
  });

  it('refuses any other command with a clear failed result, whatever follows the first word', async () => {
    const runner = new CommandRunner(context(), 1000);
    for (const text of [
      'restart',
      'restart_service nginx',
      'rm -rf /',
      '$(reboot)',
      'toString',
      '__proto__',
    ]) {
      const outcome = await runner.run(text);
      expect(outcome.status).toBe('failed');
      expect(outcome.exit_code).toBe(EXIT.refused);
      expect(outcome.result).toMatch(
        /^refused: ".*" is not a command this agent runs \(it runs: get_info, status, get_processes, get_logs, screenshot\)$/,
      );
    }
  });

  it('sorts and limits get_processes by its arguments', async () => {
    const runner = new CommandRunner(context(), 1000);
    const byMemory = JSON.parse((await runner.run('get_processes memory 2')).result) as {
      pid: number;
    }[];
    expect(byMemory.map((p) => p.pid)).toEqual([3, 1]);
    const byCpu = JSON.parse((await runner.run('get_processes')).result) as { pid: number }[];
    expect(byCpu.map((p) => p.pid)).toEqual([2, 3, 1]);
  });

  it('returns the number of log lines asked for, 200 by default', async () => {
    const runner = new CommandRunner(context(), 1000);
    expect((await runner.run('get_logs 5')).result.split('\n')).toHaveLength(5);
    expect((await runner.run('get_logs')).result.split('\n')).toHaveLength(200);
  });

  it('fails a command that outlives its timeout', async () => {
    const slow = context({ screenshot: () => new Promise<string>(() => undefined) });
    const outcome = await new CommandRunner(slow, 50).run('screenshot');
    expect(outcome).toEqual({
      status: 'failed',
      result: 'screenshot: timed out after 50 ms',
      exit_code: EXIT.timedOut,
    });
  });

  it('fails with the reason when a command cannot be done', async () => {
    const broken = context({ screenshot: () => Promise.reject(new Error('no display')) });
    expect(await new CommandRunner(broken, 1000).run('screenshot')).toEqual({
      status: 'failed',
      result: 'screenshot: no display',
      exit_code: EXIT.failed,
    });
  });

  it('caps a result at 64 KiB of UTF-8 without splitting a character', () => {
    const text = 'é'.repeat(40_000);
    const capped = cap(text);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(MAX_RESULT_BYTES);
    expect(capped.endsWith('[output truncated at 64 KiB]')).toBe(true);
    expect(capped).not.toContain('\uFFFD');
    expect(cap('short')).toBe('short');
  });
});
