import { homedir } from 'node:os';
import { join } from 'node:path';
import { FLAGS } from './agent-flags';

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
    "raqeem-agent: sends this host's telemetry to a Raqeem Devices service",
    '',
    'usage: raqeem-agent --server <url> --enroll <secret> [options]',
    '       raqeem-agent --server <url> --enroll <secret> --simulate <n> [--seed <n>]',
    '',
    ...rows,
  ].join('\n');
}
