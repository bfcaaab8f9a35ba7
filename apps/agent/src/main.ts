#!/usr/bin/env node
/**
 * `raqeem-agent` (`npm run agent -- ...`): this host's telemetry to a Raqeem Devices service,
 * or with `--simulate N` a fleet of synthetic devices. See docs/agent.md.
 */
import { HostAgent } from './agent/host-agent';
import { AgentLogger } from './log/agent-logger';
import { parseOptions, usage, type AgentOptions } from './options/agent-options';
import { FleetSimulator } from './simulate/fleet-simulator';
import { AGENT_VERSION } from './version';

interface Runner {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

async function main(): Promise<number> {
  let options: AgentOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`raqeem-agent: ${(error as Error).message}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  const runner: Runner = options.simulate
    ? new FleetSimulator(options, new AgentLogger(undefined, 1000, 'error'))
    : new HostAgent(options, new AgentLogger());
  await runner.start();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      runner.stop().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`raqeem-agent: stopping failed: ${(error as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    if (options.durationMs !== undefined) setTimeout(stop, options.durationMs).unref();
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`raqeem-agent: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
