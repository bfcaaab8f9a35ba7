import { OutboxRelay, OutboxWriter, type BacklogStats, type SqlExecutor } from '@app/delivery';
import { SqlPool } from '@app/platform';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';
import { DevicesTransport } from './devices-transport';

export const DEVICES_CHANNEL = 'devices';

/**
 * The mentor's durable hand-off of commands to Devices: the command row and its outbox row
 * commit together; the delivery engine (the same one forwarding uses, with the same retry
 * rules) sends them to Devices' internal endpoint. Without DEVICES_API_URL there is nowhere
 * to send, and commands cannot be created.
 */
@Injectable()
export class CommandHandoff implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CommandHandoff.name);
  private readonly writer = new OutboxWriter();
  private readonly relay?: OutboxRelay;

  constructor(
    private readonly config: MentorConfig,
    pool: SqlPool,
  ) {
    if (config.DEVICES_API_URL && config.MENTOR_API_TOKEN) {
      this.relay = new OutboxRelay(
        pool,
        {
          channel: DEVICES_CHANNEL,
          transport: new DevicesTransport(
            config.DEVICES_API_URL,
            config.MENTOR_API_TOKEN,
            config.COMMAND_HANDOFF_TIMEOUT,
          ),
          batchSize: 100,
          concurrency: 1,
          leaseMs: config.COMMAND_HANDOFF_TIMEOUT * 2 + 10_000,
          receiver: {
            name: 'devices',
            credentialSetting: 'MENTOR_API_TOKEN',
            urlSetting: 'DEVICES_API_URL',
          },
        },
        this.logger,
      );
    }
  }

  get enabled(): boolean {
    return this.relay !== undefined;
  }

  async enqueue(
    client: SqlExecutor,
    commandid: string,
    payload: Record<string, unknown>,
    requestId: string,
  ): Promise<void> {
    await this.writer.enqueue(client, [
      { channel: DEVICES_CHANNEL, topic: 'command', recordId: commandid, payload, requestId },
    ]);
  }

  kick(): void {
    this.relay?.kick();
  }

  stats(): Promise<BacklogStats> | undefined {
    return this.relay?.stats();
  }

  /**
   * The hand-off's part of `/health`: this instance's delivery state and backlog; `degraded`
   * (still 200) while Devices is down or refuses our token.
   */
  async healthSummary(): Promise<Record<string, unknown>> {
    if (!this.relay) return { command_handoff: { enabled: false } };
    const health = this.relay.health();
    const s = await this.relay.stats().catch(() => undefined);
    return {
      ...(health.state === 'ok'
        ? {}
        : { degraded: `command hand-off ${health.state}: ${health.reason}` }),
      command_handoff: {
        enabled: true,
        state: health.state,
        side: health.side,
        reason: health.reason,
        since: health.since,
        failures: health.failures,
        pending: s?.pending ?? null,
        oldest_pending_age_seconds: s?.oldestPendingAgeSeconds ?? null,
        dead_letters: s?.deadLetters ?? null,
      },
    };
  }

  onApplicationBootstrap(): void {
    this.relay?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}
