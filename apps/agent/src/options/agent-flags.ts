import { readFileSync } from 'node:fs';
import type { AgentOptions } from './agent-options';
import { parseDuration } from './duration';

export interface FlagSpec {
  flag: string;
  env?: string;
  value: string;
  meaning: string;
  apply: (options: AgentOptions, text: string) => void;
}

const number =
  (key: keyof AgentOptions, min: number, max: number) =>
  (options: AgentOptions, text: string, flag = `--${key}`): void => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`${flag}: expected a number from ${min} to ${max}, got "${text}"`);
    }
    (options as unknown as Record<string, number>)[key] = value;
  };

const integer =
  (key: keyof AgentOptions, min: number, max: number) =>
  (options: AgentOptions, text: string): void => {
    number(key, min, max)(options, text);
    if (!Number.isInteger(options[key])) throw new Error(`--${key}: expected a whole number`);
  };

const duration =
  (key: keyof AgentOptions, flag: string, minMs: number) =>
  (options: AgentOptions, text: string): void => {
    const ms = parseDuration(text, flag);
    if (ms < minMs) throw new Error(`${flag}: at least ${minMs} ms`);
    (options as unknown as Record<string, number>)[key] = ms;
  };

/** Every flag, its environment variable and its meaning (the usage text and docs/agent.md). */
export const FLAGS: FlagSpec[] = [
  {
    flag: '--server',
    env: 'RAQEEM_SERVER',
    value: 'url',
    meaning: 'Devices service address',
    apply: (o, t) => (o.server = t.replace(/\/+$/, '')),
  },
  {
    flag: '--enroll',
    env: 'RAQEEM_ENROLLMENT_SECRET',
    value: 'secret',
    meaning: 'enrollment secret (kept in memory only)',
    apply: (o, t) => (o.enrollmentSecret = t),
  },
  {
    flag: '--enroll-file',
    env: 'RAQEEM_ENROLLMENT_SECRET_FILE',
    value: 'path',
    meaning: 'file holding the enrollment secret',
    apply: (o, t) => (o.enrollmentSecret = readFileSync(t, 'utf8').trim()),
  },
  {
    flag: '--device-id',
    env: 'RAQEEM_DEVICE_ID',
    value: 'id',
    meaning: 'device id (default: kept in the state dir, first made from the host name)',
    apply: (o, t) => (o.deviceId = t),
  },
  {
    flag: '--device-name',
    env: 'RAQEEM_DEVICE_NAME',
    value: 'name',
    meaning: 'device name (default: the host name)',
    apply: (o, t) => (o.deviceName = t),
  },
  {
    flag: '--location',
    env: 'RAQEEM_DEVICE_LOCATION',
    value: 'text',
    meaning: 'device location',
    apply: (o, t) => (o.deviceLocation = t),
  },
  {
    flag: '--state-dir',
    env: 'RAQEEM_STATE_DIR',
    value: 'dir',
    meaning: 'queue, token and device id',
    apply: (o, t) => (o.stateDir = t),
  },
  {
    flag: '--interval',
    env: 'RAQEEM_INTERVAL',
    value: 'duration',
    meaning: 'collection interval (10s)',
    apply: duration('intervalMs', '--interval', 100),
  },
  {
    flag: '--command-poll',
    env: 'RAQEEM_COMMAND_POLL',
    value: 'duration',
    meaning: 'command poll interval (10s)',
    apply: duration('commandPollMs', '--command-poll', 100),
  },
  {
    flag: '--command-timeout',
    env: 'RAQEEM_COMMAND_TIMEOUT',
    value: 'duration',
    meaning: 'longest a command may run (30s)',
    apply: duration('commandTimeoutMs', '--command-timeout', 100),
  },
  {
    flag: '--no-commands',
    value: '',
    meaning: 'never poll or run commands',
    apply: (o) => (o.commands = false),
  },
  {
    flag: '--batch-size',
    env: 'RAQEEM_BATCH_SIZE',
    value: 'n',
    meaning: 'records per request (500, at most 1000)',
    apply: integer('batchSize', 1, 1000),
  },
  {
    flag: '--queue-max',
    env: 'RAQEEM_QUEUE_MAX',
    value: 'n',
    meaning: 'queued records kept at most; the oldest are dropped past it (100000)',
    apply: integer('queueMax', 10, 100_000_000),
  },
  {
    flag: '--max-backoff',
    env: 'RAQEEM_MAX_BACKOFF',
    value: 'duration',
    meaning: 'longest wait between retries after 1, 2, 4, 8, 16 s (60s)',
    apply: duration('maxBackoffMs', '--max-backoff', 100),
  },
  {
    flag: '--request-timeout',
    env: 'RAQEEM_REQUEST_TIMEOUT',
    value: 'duration',
    meaning: 'timeout of one request (15s)',
    apply: duration('requestTimeoutMs', '--request-timeout', 100),
  },
  {
    flag: '--cpu-alert',
    env: 'RAQEEM_CPU_ALERT',
    value: '%',
    meaning: 'alert when CPU use crosses this (90)',
    apply: number('cpuAlert', 0, 101),
  },
  {
    flag: '--memory-alert',
    env: 'RAQEEM_MEMORY_ALERT',
    value: '%',
    meaning: 'alert when memory use crosses this (90)',
    apply: number('memoryAlert', 0, 101),
  },
  {
    flag: '--disk-alert',
    env: 'RAQEEM_DISK_ALERT',
    value: '%',
    meaning: 'alert when disk use crosses this (90)',
    apply: number('diskAlert', 0, 101),
  },
  {
    flag: '--temp-alert',
    env: 'RAQEEM_TEMP_ALERT',
    value: '°C',
    meaning: 'alert when CPU temperature crosses this (85)',
    apply: number('tempAlert', -100, 201),
  },
  {
    flag: '--simulate',
    value: 'n',
    meaning: 'drive n synthetic devices instead of this host',
    apply: integer('simulate', 1, 100_000),
  },
  {
    flag: '--seed',
    value: 'n',
    meaning: 'seed of the simulated data (1)',
    apply: integer('seed', 0, 2 ** 31),
  },
  {
    flag: '--duration',
    value: 'duration',
    meaning: 'stop after this long (default: run until stopped)',
    apply: duration('durationMs', '--duration', 100),
  },
  {
    flag: '--concurrency',
    value: 'n',
    meaning: 'parallel requests (1; the simulator 8)',
    apply: integer('concurrency', 1, 256),
  },
  {
    flag: '--screenshot-every',
    value: 'n',
    meaning: 'simulator: about one screenshot per device per n intervals (500; 0 none)',
    apply: integer('screenshotEvery', 0, 1e9),
  },
  { flag: '--help', value: '', meaning: 'this text', apply: (o) => (o.help = true) },
  { flag: '--version', value: '', meaning: 'the agent version', apply: (o) => (o.version = true) },
];
