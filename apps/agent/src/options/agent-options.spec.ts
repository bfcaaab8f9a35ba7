import { REPO_ROOT } from '@app/testing/repo-root';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLAGS } from './agent-flags';
import { defaultStateDir, parseOptions, usage } from './agent-options';
import { parseDuration } from './duration';

describe('the agent options', () => {
  it('uses a 10 s interval, a 60 s backoff cap and 90 % alerts unless told otherwise', () => {
    const options = parseOptions(['--server', 'http://devices:8081/', '--enroll', 's3cret']);
    expect(options).toMatchObject({
      server: 'http://devices:8081',
      enrollmentSecret: 's3cret',
      intervalMs: 10_000,
      maxBackoffMs: 60_000,
      cpuAlert: 90,
      memoryAlert: 90,
      diskAlert: 90,
      concurrency: 1,
      commands: true,
    });
  });

  it('takes flags as --flag value or --flag=value, over the environment', () => {
    const options = parseOptions(
      ['--interval=500ms', '--cpu-alert', '75', '--no-commands', '--simulate', '3'],
      {
        RAQEEM_INTERVAL: '30s',
        RAQEEM_ENROLLMENT_SECRET: 'from-env',
        RAQEEM_STATE_DIR: '/tmp/state',
      },
    );
    expect(options).toMatchObject({
      intervalMs: 500,
      cpuAlert: 75,
      commands: false,
      simulate: 3,
      concurrency: 8,
      enrollmentSecret: 'from-env',
      stateDir: '/tmp/state',
    });
  });

  it('refuses unknown flags, missing values and values out of range, naming the flag', () => {
    expect(() => parseOptions(['--bogus'])).toThrow('unknown option --bogus');
    expect(() => parseOptions(['--interval'])).toThrow('--interval needs a value');
    expect(() => parseOptions(['--cpu-alert', 'lots'])).toThrow('--cpuAlert: expected a number');
    expect(() => parseOptions(['--batch-size', '5000'])).toThrow('from 1 to 1000');
    expect(() => parseOptions(['--server', 'ftp://x'])).toThrow(
      '--server: expected an http(s) address',
    );
  });

  it('keeps state under /var/lib as root and in the home folder otherwise', () => {
    expect(defaultStateDir(0)).toBe('/var/lib/raqeem-agent');
    expect(defaultStateDir(1000)).toMatch(/\.local\/state\/raqeem-agent$/);
  });

  it('reads durations with or without a unit', () => {
    expect(parseDuration('250ms', 'x')).toBe(250);
    expect(parseDuration('2m', 'x')).toBe(120_000);
    expect(parseDuration('1.5', 'x')).toBe(1500);
    expect(() => parseDuration('soon', '--interval')).toThrow('--interval: expected a duration');
  });

  it('lists every flag with its environment variable in the usage text', () => {
    expect(usage()).toContain('--enroll <secret>');
    expect(usage()).toContain('[RAQEEM_ENROLLMENT_SECRET]');
  });

  it('has every flag and environment variable in the docs table', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'agent.md'), 'utf8');
    const rows = docs.split('\n').filter((line) => line.startsWith('| `--'));
    for (const flag of FLAGS) {
      const row = rows.find((line) => line.startsWith(`| \`${flag.flag}`));
      expect(row).toBeDefined();
      if (flag.env) expect(row).toContain(`\`${flag.env}\``);
    }
    expect(rows).toHaveLength(FLAGS.length);
  });
});
