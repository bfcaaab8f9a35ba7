import type { DeviceSession } from '../identity/device-session';
import type { AgentLogger } from '../log/agent-logger';
import type { DiskQueue } from '../queue/disk-queue';
import type { DevicesClient } from '../transport/devices-client';
import { SendError } from '../transport/send-error';
import type { CommandRunner } from './command-runner';

/**
 * Polls the device's pending commands and runs them one at a time. Each state (`running`,
 * then `completed` or `failed`) goes through the disk queue like telemetry, so a report is
 * not lost when the server is away when the command ends.
 */
export class CommandPoller {
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;
  handled = 0;

  constructor(
    private readonly session: DeviceSession,
    private readonly client: DevicesClient,
    private readonly queue: DiskQueue,
    private readonly runner: CommandRunner,
    private readonly kick: () => void,
    private readonly everyMs: number,
    private readonly logger: AgentLogger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(Math.min(this.everyMs, 1000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll().finally(() => this.schedule(this.everyMs));
    }, ms);
  }

  private async poll(): Promise<void> {
    let token: string | undefined;
    let commands;
    try {
      token = await this.session.token();
      commands = await this.client.pendingCommands(this.session.deviceid, token);
    } catch (error) {
      const send = error as SendError;
      if (
        send instanceof SendError &&
        (send.failure === 'auth' || send.failure === 'unknown-device')
      ) {
        await this.session.replace(token, send.message).catch(() => undefined);
      }
      this.logger.debug('command poll failed', { why: (error as Error).message });
      return;
    }
    for (const command of commands) {
      if (this.stopped) break;
      this.report(command.commandid, { status: 'running' });
      this.logger.info('running command', {
        commandid: command.commandid,
        command: verbOf(command.command_text),
      });
      const outcome = await this.runner.run(command.command_text);
      this.report(command.commandid, { ...outcome });
      this.handled += 1;
      this.logger.info('command finished', {
        commandid: command.commandid,
        status: outcome.status,
        exit_code: outcome.exit_code,
      });
    }
  }

  private report(commandid: string, body: Record<string, unknown>): void {
    this.queue.push([
      { deviceid: this.session.deviceid, kind: 'results', recordId: commandid, body },
    ]);
    this.kick();
  }
}

function verbOf(text: string): string {
  return text.trim().split(/\s+/)[0]?.slice(0, 64) ?? '';
}
