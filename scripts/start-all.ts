/**
 * `npm start`: runs the Mentor and Devices services side by side (with the Node.js flags of
 * SERVICE_NODE_ARGS), each line of their output prefixed with its name. Ctrl-C or SIGTERM stops both gracefully; if one crashes, the other is
 * stopped too and its exit code is reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
// The one file, not the @app/platform barrel: the launcher stays free of Nest.
import { SERVICE_NODE_ARGS } from '@app/platform/runtime/service-node-args';

// A service gets this long to finish its graceful shutdown before it is killed.
const STOP_GRACE_MS = 30_000;
// Signals closer together than this are one request to stop, not a second, impatient one.
const REPEAT_SIGNAL_MS = 1_000;

interface Service {
  name: 'mentor' | 'devices';
  entry: string;
  color: string;
  child?: ChildProcess;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

const allServices: Service[] = [
  {
    name: 'mentor',
    entry: path.join(__dirname, '..', 'apps', 'mentor', 'src', 'main.js'),
    color: '35',
  },
  {
    name: 'devices',
    entry: path.join(__dirname, '..', 'apps', 'devices', 'src', 'main.js'),
    color: '36',
  },
];

/**
 * `start-all.js devices` (or `mentor`) runs that service alone, with the same flags and the
 * same wiring to its peer, so either can be stopped and restarted alone.
 */
const only = process.argv.slice(2);
const services = only.length ? allServices.filter((s) => only.includes(s.name)) : allServices;

const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
let stopping = false;
let failure: { message: string; exitCode: number } | undefined;
let killTimer: NodeJS.Timeout | undefined;
let firstSignalAt: number | undefined;

function prefix(service: Service): string {
  const label = `[${service.name}]`;
  return useColor ? `\x1b[${service.color}m${label}\x1b[0m` : label;
}

function pipeLines(
  service: Service,
  source: NodeJS.ReadableStream,
  target: NodeJS.WriteStream,
): void {
  const lines = readline.createInterface({ input: source, crlfDelay: Infinity });
  lines.on('line', (line) => target.write(`${prefix(service)} ${line}\n`));
}

function start(service: Service): void {
  const env = { ...process.env };
  // The children write into pipes, where colour libraries switch colour off; ours is a terminal.
  if (useColor && env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1';
  // Likewise the services would log JSON into our pipes; a person at a terminal reads pretty.
  if (process.stdout.isTTY && env.LOG_FORMAT === undefined) env.LOG_FORMAT = 'pretty';
  // Started together or one at a time, the services are wired to each other on this machine:
  // Devices forwards to the Mentor (holding records in its outbox while the Mentor is down)...
  if (service.name === 'devices' && env.MENTOR_API_URL === undefined) {
    env.MENTOR_API_URL = `http://127.0.0.1:${env.MENTOR_PORT || '8080'}`;
  }
  // ...and the Mentor reconciles by pulling from Devices. A variable set, even empty
  // (standalone), is left as it is.
  if (service.name === 'mentor' && env.DEVICES_API_URL === undefined) {
    env.DEVICES_API_URL = `http://127.0.0.1:${env.DEVICES_PORT || '8081'}`;
  }
  // Detached (own process group): a terminal Ctrl-C reaches only us, and each service gets the
  // signal exactly once from us. A second SIGINT would cut a NestJS graceful shutdown short.
  const child = spawn(process.execPath, [...SERVICE_NODE_ARGS[service.name], service.entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  service.child = child;
  pipeLines(service, child.stdout, process.stdout);
  pipeLines(service, child.stderr, process.stderr);
  child.once('error', (err) => {
    console.error(`${prefix(service)} could not start: ${err.message}`);
  });
  // 'close' rather than 'exit': it comes after the last output line has been read.
  child.once('close', (code, signal) => {
    service.exit = { code, signal };
    onExit(service);
  });
}

function onExit(service: Service): void {
  const { code, signal } = service.exit ?? { code: null, signal: null };
  const how = signal ? `signal ${signal}` : `code ${code}`;
  if (!stopping && (code !== 0 || signal)) {
    failure = { message: `${service.name} exited with ${how}`, exitCode: code || 1 };
    console.error(`${prefix(service)} crashed (exit ${how}); stopping the other service`);
    stopAll('SIGTERM');
  } else {
    console.error(`${prefix(service)} exited with ${how}`);
  }
  if (services.every((s) => !s.child || s.exit)) {
    if (killTimer) clearTimeout(killTimer);
    if (failure) console.error(`start-all: ${failure.message}`);
    process.exit(failure?.exitCode ?? 0);
  }
}

function stopAll(signal: NodeJS.Signals): void {
  stopping = true;
  for (const service of services) {
    if (service.child && !service.exit) service.child.kill(signal);
  }
  killTimer ??= setTimeout(() => {
    for (const service of services) {
      if (service.child && !service.exit) {
        console.error(`${prefix(service)} did not stop within ${STOP_GRACE_MS / 1000} s; killing`);
        service.child.kill('SIGKILL');
      }
    }
  }, STOP_GRACE_MS);
}

function onSignal(signal: NodeJS.Signals): void {
  // A second Ctrl-C means "now": skip the graceful shutdown. The same signal often arrives
  // twice at once (the terminal sends it to the whole group, and npm forwards its copy to
  // us): that is one request, which must not cut the services' shutdown short.
  const now = Date.now();
  const again = firstSignalAt !== undefined && now - firstSignalAt > REPEAT_SIGNAL_MS;
  firstSignalAt ??= now;
  if (stopping && !again) return;
  stopAll(again ? 'SIGKILL' : signal);
}

function main(): void {
  const unknown = only.filter((name) => !allServices.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(`start-all: unknown service ${unknown.join(', ')} (devices, mentor)`);
    process.exit(2);
  }
  const missing = services.filter((service) => !fs.existsSync(service.entry));
  if (missing.length > 0) {
    for (const service of missing) console.error(`start-all: ${service.entry} is missing`);
    console.error('start-all: build first (npm run build)');
    process.exit(1);
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The terminal closed: stop the services as for Ctrl-C, not die and leave them running.
  process.on('SIGHUP', () => stopAll('SIGTERM'));
  // ...and once it is gone, their last lines have nowhere to go; that must not end us early.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // If we die anyway, do not leave detached services behind holding their ports.
  process.on('exit', () => {
    for (const service of services)
      if (service.child && !service.exit) service.child.kill('SIGTERM');
  });
  // Mentor first: Devices forwards to it (and retries, so the order is a courtesy).
  for (const service of services) start(service);
}

main();
