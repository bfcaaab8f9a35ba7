import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { CommandPoller } from '../commands/command-poller';
import { CommandRunner } from '../commands/command-runner';
import { ScreenshotTaker } from '../commands/screenshot-taker';
import { hostInfo } from '../collectors/host-info';
import { resolveDeviceId } from '../identity/device-id';
import { DeviceSession } from '../identity/device-session';
import { TokenFile } from '../identity/token-file';
import type { AgentLogger } from '../log/agent-logger';
import type { AgentOptions } from '../options/agent-options';
import { DiskQueue } from '../queue/disk-queue';
import type { NewQueueItem } from '../queue/queue-item';
import { DevicesClient } from '../transport/devices-client';
import { QueueSender } from '../transport/queue-sender';
import { AGENT_VERSION } from '../version';
import { HostSampler } from './host-sampler';

/**
 * The agent on a real host: every interval a reading goes into the disk queue, the sender
 * drains it to the Devices service, the poller runs the device's commands.
 */
export class HostAgent {
  readonly queue: DiskQueue;
  readonly deviceid: string;
  private readonly session: DeviceSession;
  private readonly sender: QueueSender;
  private readonly sampler: HostSampler;
  private readonly poller?: CommandPoller;
  private readonly startedAt = Date.now();
  /** Records queued by this run, by kind (logged at the stop). */
  readonly collected: Record<string, number> = {};
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    private readonly options: AgentOptions,
    private readonly logger: AgentLogger,
  ) {
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.deviceid = resolveDeviceId(join(options.stateDir, 'device-id'), options.deviceId);
    this.queue = new DiskQueue(join(options.stateDir, 'queue.db'), { maxItems: options.queueMax });
    const client = new DevicesClient(
      options.server,
      options.requestTimeoutMs,
      options.concurrency + 1,
    );
    this.sampler = new HostSampler(this.deviceid, options);
    this.session = new DeviceSession(
      this.deviceid,
      () =>
        hostInfo(this.deviceid, {
          deviceName: options.deviceName,
          location: options.deviceLocation,
          loggedIn: this.sampler.logins.users(),
        }),
      client,
      options.enrollmentSecret,
      new TokenFile(join(options.stateDir, 'device-token')),
      logger,
    );
    this.sender = new QueueSender(
      this.queue,
      client,
      (id) => (id === this.deviceid ? this.session : undefined),
      options,
      logger,
    );
    if (options.commands) {
      const runner = new CommandRunner(this.commandContext(), options.commandTimeoutMs);
      this.poller = new CommandPoller(
        this.session,
        client,
        this.queue,
        runner,
        () => this.sender.kick(),
        options.commandPollMs,
        logger,
      );
    }
  }

  start(): void {
    this.logger.info('agent started', {
      deviceid: this.deviceid,
      server: this.options.server,
      queued: this.queue.size,
      stateDir: this.options.stateDir,
      version: AGENT_VERSION,
    });
    this.push([this.activity('agent_start', `raqeem-agent ${AGENT_VERSION} started`)]);
    this.sender.start();
    this.poller?.start();
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, this.options.intervalMs);
  }

  /**
   * Queues the stop, lets the sender deliver what is queued (unless a send fails, or for at most
   * `graceMs`, inside the unit file's stop timeout), then closes the queue.
   */
  async stop(graceMs = 10_000): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    await this.poller?.stop();
    this.push([this.activity('agent_stop', 'raqeem-agent stopped')]);
    await this.sender.drained(graceMs);
    await this.sender.stop();
    this.logger.info('agent stopped', { queued: this.queue.size, collected: this.collected });
    this.queue.close();
  }

  private async tick(): Promise<void> {
    try {
      this.push(await this.sampler.sample());
    } catch (error) {
      this.logger.error('reading the host failed', { why: (error as Error).message });
    }
  }

  /** Queues items, with an alert for records the size cap dropped since the last report. */
  private push(items: NewQueueItem[]): void {
    const dropped = this.queue.droppedUnreported;
    if (dropped > 0) {
      items.push({
        deviceid: this.deviceid,
        kind: 'alerts',
        recordId: randomUUID(),
        body: {
          id: randomUUID(),
          timestamp: new Date().toISOString(),
          level: 'warning',
          alert_type: 'agent_queue_overflow',
          message: `the agent's queue reached its cap of ${this.options.queueMax} records; the ${dropped} oldest were dropped`,
          value: dropped,
          threshold: this.options.queueMax,
        },
      });
      this.logger.warn('queue full, oldest records dropped', { dropped });
    }
    this.queue.push(items, dropped);
    for (const item of items) this.collected[item.kind] = (this.collected[item.kind] ?? 0) + 1;
    this.sender.kick();
  }

  private activity(type: string, description: string): NewQueueItem {
    const id = randomUUID();
    return {
      deviceid: this.deviceid,
      kind: 'activities',
      recordId: id,
      body: {
        id,
        timestamp: new Date().toISOString(),
        activity_type: type,
        description,
        app: 'raqeem-agent',
      },
    };
  }

  private commandContext(): ConstructorParameters<typeof CommandRunner>[0] {
    const screenshots = new ScreenshotTaker();
    return {
      info: () => ({
        ...hostInfo(this.deviceid, {
          deviceName: this.options.deviceName,
          loggedIn: this.sampler.logins.users(),
        }),
        hostname: os.hostname(),
        platform: os.platform(),
        arch: os.arch(),
        kernel: os.release(),
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model,
        memory_total: os.totalmem(),
        uptime_s: Math.round(os.uptime()),
        agent_version: AGENT_VERSION,
        node_version: process.version,
      }),
      status: () => ({
        deviceid: this.deviceid,
        server: this.options.server,
        agent_uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
        interval_ms: this.options.intervalMs,
        queued: this.queue.size,
        queue_max: this.options.queueMax,
        dropped_total: this.queue.droppedTotal,
        ...this.sender.stats,
        enrolments: this.session.enrolments,
        temperature_sensors: this.sampler.temperature.sources.length,
        process_list_error: this.sampler.processError,
      }),
      // Before the first reading there is no list yet: take one now.
      processes: async () =>
        this.sampler.latestProcesses.length > 0
          ? this.sampler.latestProcesses
          : this.sampler.processes.sample(),
      logs: (count) => this.logger.tail(count),
      screenshot: async (timeoutMs) => {
        const image = await screenshots.take(timeoutMs);
        const id = randomUUID();
        this.push([
          {
            deviceid: this.deviceid,
            kind: 'screenshots',
            recordId: id,
            body: { id, timestamp: new Date().toISOString() },
            blob: image,
          },
        ]);
        return `screenshot ${id} (${image.length} bytes) queued for upload`;
      },
    };
  }
}
