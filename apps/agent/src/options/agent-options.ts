import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from './duration';

export interface AgentOptions {
  server: string;
  enrollmentSecret?: string;
  deviceId?: string;
  deviceName?: string;
  deviceLocation?: string;
  stateDir: string;
  intervalMs: number;
  commandPollMs: number;
  commandTimeoutMs: number;
  commands: boolean;
  batchSize: number;
  queueMax: number;
  maxBackoffMs: number;
  requestTimeoutMs: number;
  cpuAlert: number;
  memoryAlert: number;
  diskAlert: number;
  tempAlert: number;
  simulate?: number;
  seed: number;
  durationMs?: number;
  concurrency: number;
  screenshotEvery: number;
  help: boolean;
  version: boolean;
}

interface FlagSpec {
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
  { flag: '--server', env: 'RAQEEM_SERVER', value: 'url', meaning: 'Devices service address', apply: (o, t) => (o.server = t.replace(/\/+$/, '')) },
  { flag: '--enroll', env: 'RAQEEM_ENROLLMENT_SECRET', value: 'secret', meaning: 'enrollment secret (kept in memory only)', apply: (o, t) => (o.enrollmentSecret = t) },
  { flag: '--enroll-file', env: 'RAQEEM_ENROLLMENT_SECRET_FILE', value: 'path', meaning: 'file holding the enrollment secret', apply: (o, t) => (o.enrollmentSecret = readFileSync(t, 'utf8').trim()) },
  { flag: '--device-id', env: 'RAQEEM_DEVICE_ID', value: 'id', meaning: 'device id (default: kept in the state dir, first made from the host name)', apply: (o, t) => (o.deviceId = t) },
  { flag: '--device-name', env: 'RAQEEM_DEVICE_NAME', value: 'name', meaning: 'device name (default: the host name)', apply: (o, t) => (o.deviceName = t) },
  { flag: '--location', env: 'RAQEEM_DEVICE_LOCATION', value: 'text', meaning: 'device location', apply: (o, t) => (o.deviceLocation = t) },
  { flag: '--state-dir', env: 'RAQEEM_STATE_DIR', value: 'dir', meaning: 'queue, token and device id', apply: (o, t) => (o.stateDir = t) },
  { flag: '--interval', env: 'RAQEEM_INTERVAL', value: 'duration', meaning: 'collection interval (10s)', apply: duration('intervalMs', '--interval', 100) },
  { flag: '--command-poll', env: 'RAQEEM_COMMAND_POLL', value: 'duration', meaning: 'command poll interval (10s)', apply: duration('commandPollMs', '--command-poll', 100) },
  { flag: '--command-timeout', env: 'RAQEEM_COMMAND_TIMEOUT', value: 'duration', meaning: 'longest a command may run (30s)', apply: duration('commandTimeoutMs', '--command-timeout', 100) },
  { flag: '--no-commands', value: '', meaning: 'never poll or run commands', apply: (o) => (o.commands = false) },
  { flag: '--batch-size', env: 'RAQEEM_BATCH_SIZE', value: 'n', meaning: 'records per request (500, at most 1000)', apply: integer('batchSize', 1, 1000) },
  { flag: '--queue-max', env: 'RAQEEM_QUEUE_MAX', value: 'n', meaning: 'queued records kept at most; the oldest are dropped past it (100000)', apply: integer('queueMax', 10, 100_000_000) },
  { flag: '--max-backoff', env: 'RAQEEM_MAX_BACKOFF', value: 'duration', meaning: 'longest wait between retries after 1, 2, 4, 8, 16 s (60s)', apply: duration('maxBackoffMs', '--max-backoff', 100) },
  { flag: '--request-timeout', env: 'RAQEEM_REQUEST_TIMEOUT', value: 'duration', meaning: 'timeout of one request (15s)', apply: duration('requestTimeoutMs', '--request-timeout', 100) },
  { flag: '--cpu-alert', env: 'RAQEEM_CPU_ALERT', value: '%', meaning: 'alert when CPU use crosses this (90)', apply: number('cpuAlert', 0, 101) },
  { flag: '--memory-alert', env: 'RAQEEM_MEMORY_ALERT', value: '%', meaning: 'alert when memory use crosses this (90)', apply: number('memoryAlert', 0, 101) },
  { flag: '--disk-alert', env: 'RAQEEM_DISK_ALERT', value: '%', meaning: 'alert when disk use crosses this (90)', apply: number('diskAlert', 0, 101) },
  { flag: '--temp-alert', env: 'RAQEEM_TEMP_ALERT', value: '°C', meaning: 'alert when CPU temperature crosses this (85)', apply: number('tempAlert', -100, 201) },
  { flag: '--simulate', value: 'n', meaning: 'drive n synthetic devices instead of this host', apply: integer('simulate', 1, 100_000) },
  { flag: '--seed', value: 'n', meaning: 'seed of the simulated data (1)', apply: integer('seed', 0, 2 ** 31) },
  { flag: '--duration', value: 'duration', meaning: 'stop after this long (default: run until stopped)', apply: duration('durationMs', '--duration', 100) },
  { flag: '--concurrency', value: 'n', meaning: 'parallel requests (1; the simulator 8)', apply: integer('concurrency', 1, 256) },
  { flag: '--screenshot-every', value: 'n', meaning: 'simulator: about one screenshot per device per n intervals (500; 0 none)', apply: integer('screenshotEvery', 0, 1e9) },
  { flag: '--help', value: '', meaning: 'this text', apply: (o) => (o.help = true) },
  { flag: '--version', value: '', meaning: 'the agent version', apply: (o) => (o.version = true) },
];

/** Root keeps its state with the system's, anyone else in their home. */
export function defaultStateDir(uid = process.getuid?.() ?? -1): string {
  return uid === 0 ? '/var/lib/raqeem-agent' : join(homedir(), '.local', 'state', 'raqeem-agent');
}

function defaults(): AgentOptions {
  return {
    server: 'http://localhost:8081',
    stateDir: defaultStateDir(),
    intervalMs: 10_000,
    commandPollMs: 10_000,
    commandTimeoutMs: 30_000,
    commands: true,
    batchSize: 500,
    queueMax: 100_000,
    maxBackoffMs: 60_000,
    requestTimeoutMs: 15_000,
    cpuAlert: 90,
    memoryAlert: 90,
    diskAlert: 90,
    tempAlert: 85,
    seed: 1,
    concurrency: 0,
    screenshotEvery: 500,
    help: false,
    version: false,
  };
}

/** Flags win over the environment, the environment over the defaults. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = {}): AgentOptions {
  const options = defaults();
  for (const spec of FLAGS) {
    const value = spec.env ? env[spec.env] : undefined;
    if (value !== undefined && value !== '') spec.apply(options, value);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = FLAGS.find((f) => f.flag === name);
    if (!spec) throw new Error(`unknown option ${name} (see --help)`);
    if (spec.value === '') {
      spec.apply(options, '');
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value (${spec.value})`);
    spec.apply(options, value);
  }
  if (!/^https?:\/\/[^/]+/.test(options.server)) {
    throw new Error(`--server: expected an http(s) address, got "${options.server}"`);
  }
  if (options.concurrency === 0) options.concurrency = options.simulate ? 8 : 1;
  return options;
}

export function usage(): string {
  const rows = FLAGS.map((f) => {
    const left = `  ${f.flag}${f.value ? ` <${f.value}>` : ''}`;
    return `${left.padEnd(30)} ${f.meaning}${f.env ? ` [${f.env}]` : ''}`;
  });
  return [
    'raqeem-agent: sends this host\'s telemetry to a Raqeem Devices service',
    '',
    'usage: raqeem-agent --server <url> --enroll <secret> [options]',
    '       raqeem-agent --server <url> --enroll <secret> --simulate <n> [--seed <n>]',
    '',
    ...rows,
  ].join('\n');
}
