import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { thresholdsFrom } from '../alerts/default-thresholds';
import { DeviceSession } from '../identity/device-session';
import type { AgentLogger } from '../log/agent-logger';
import type { AgentOptions } from '../options/agent-options';
import { DiskQueue } from '../queue/disk-queue';
import { DevicesClient } from '../transport/devices-client';
import { QueueSender } from '../transport/queue-sender';
import { ProgressDisplay } from './progress-display';
import { SyntheticDevice } from './synthetic-device';

/** Devices are read in this many groups spread over the interval, so the load is even. */
const GROUPS = 10;

/**
 * `--simulate N`: N synthetic devices, each enrolled with its own token, their readings going
 * through one disk queue and the same sender as the real agent, with a progress line.
 */
/** The longest the simulator waits at its end for queued readings to go out. */
const DRAIN_CAP_MS = 120_000;

export class FleetSimulator {
  readonly devices: SyntheticDevice[];
  private readonly queue: DiskQueue;
  private readonly sessions = new Map<string, DeviceSession>();
  private readonly sender: QueueSender;
  private readonly progress: ProgressDisplay;
  private timer?: NodeJS.Timeout;
  private group = 0;

  constructor(
    private readonly options: AgentOptions,
    private readonly logger: AgentLogger,
  ) {
    const thresholds = thresholdsFrom(options);
    const count = options.simulate ?? 1;
    this.devices = Array.from(
      { length: count },
      (_, i) => new SyntheticDevice(options.seed, i, thresholds, options.screenshotEvery),
    );
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    // One process crash loses at most the last commits here, and the records are synthetic.
    this.queue = new DiskQueue(join(options.stateDir, `simulate-${options.seed}.db`), {
      maxItems: options.queueMax,
      synchronous: 'NORMAL',
    });
    const client = new DevicesClient(options.server, options.requestTimeoutMs, options.concurrency);
    for (const device of this.devices) {
      let token: string | undefined;
      const store = {
        load: () => token,
        save: (t: string) => (token = t),
        clear: () => (token = undefined),
      };
      this.sessions.set(
        device.deviceid,
        new DeviceSession(
          device.deviceid,
          () => device.info,
          client,
          options.enrollmentSecret,
          store,
          logger,
        ),
      );
    }
    this.sender = new QueueSender(
      this.queue,
      client,
      (id) => this.sessions.get(id),
      options,
      logger,
    );
    this.progress = new ProgressDisplay(() => ({
      devices: this.devices.length,
      enrolled: [...this.sessions.values()].filter((s) => s.hasToken).length,
      sent: this.sender.stats.sent,
      queued: this.queue.size,
      errors: this.sender.stats.errors,
      dropped: this.queue.droppedTotal,
    }));
  }

  start(): void {
    process.stderr.write(
      `simulate: ${this.devices.length} devices (seed ${this.options.seed}) -> ${this.options.server}, ` +
        `every ${this.options.intervalMs} ms\n`,
    );
    this.sender.start();
    this.progress.start();
    this.readGroup();
    this.timer = setInterval(() => this.readGroup(), this.options.intervalMs / GROUPS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    // What was read before the stop is sent, unless the server fails or is far too slow.
    await this.sender.drained(DRAIN_CAP_MS);
    await this.sender.stop();
    this.progress.stop();
    if (this.sender.stats.lastError)
      this.logger.error('last error', { error: this.sender.stats.lastError });
    this.queue.close();
  }

  private readGroup(): void {
    const now = new Date();
    const group = this.group;
    this.group = (this.group + 1) % GROUPS;
    const items = this.devices
      .filter((_, i) => i % GROUPS === group)
      .flatMap((device) => device.read(now, this.options.intervalMs / 1000));
    if (items.length === 0) return;
    this.queue.push(items);
    this.sender.kick();
  }
}
