import {
  checkReport,
  MAX_COMMAND_RESULT_BYTES,
  type CommandResultDto,
  type InternalCommandDto,
} from '@app/contracts';
import { errorBody, SqlPool, withTransaction, PeriodicTask } from '@app/platform';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DevicesConfig } from '../config/devices.config';
import { ForwardingService } from '../forwarding/forwarding.service';
import { CommandEntity } from './command.entity';
import { WebhookEvents } from '../webhooks/webhook-events.service';
import { commandEvent, statusMessage, type CommandRow } from './command-row';
import { DELIVER_PENDING, EXPIRE_DUE, INSERT_COMMANDS } from './commands.sql';

/**
 * Commands on the Devices side: the mentor hands them over, the device polls and reports, and
 * every state change goes back to the mentor through the forwarding outbox in the same
 * transaction. A sweep expires commands left pending or delivered past their deadline.
 */
@Injectable()
export class CommandsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CommandsService.name);
  private readonly sweep = new PeriodicTask('Command expiry', () => this.expireDue(), this.logger);

  constructor(
    private readonly config: DevicesConfig,
    private readonly pool: SqlPool,
    private readonly forwarding: ForwardingService,
    private readonly webhooks: WebhookEvents,
  ) {}

  async receive(
    commands: InternalCommandDto[],
    requestId: string,
  ): Promise<{ received: number; stored: number }> {
    const stored = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<CommandRow>(INSERT_COMMANDS, [
        commands.map((c) => c.commandid),
        commands.map((c) => c.deviceid),
        commands.map((c) => c.command_text),
        commands.map((c) => c.issued_by),
        commands.map((c) => c.created_at),
        commands.map((c) => c.expires_at),
      ]);
      const expired = rows.filter((row) => row.status === 'expired');
      await this.forward(client, expired, requestId);
      return rows.length;
    });
    this.forwarding.kick();
    return { received: commands.length, stored };
  }

  /** Oldest first; each returned command is now `delivered` (and the mentor hears so). */
  async poll(deviceid: string, limit: number, requestId: string): Promise<CommandRow[]> {
    const rows = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<CommandRow>(DELIVER_PENDING, [deviceid, limit]);
      rows.sort(
        (a, b) =>
          a.created_at.getTime() - b.created_at.getTime() || a.commandid.localeCompare(b.commandid),
      );
      await this.forward(client, rows, requestId);
      return rows;
    });
    if (rows.length > 0) this.forwarding.kick();
    return rows;
  }

  async report(
    deviceid: string,
    commandid: string,
    report: CommandResultDto,
    requestId: string,
  ): Promise<CommandRow> {
    if (
      report.result !== undefined &&
      Buffer.byteLength(report.result) > MAX_COMMAND_RESULT_BYTES
    ) {
      throw new BadRequestException(
        errorBody(400, 'result must be at most 64 KiB', [
          { field: 'result', errors: [`result must be at most ${MAX_COMMAND_RESULT_BYTES} bytes`] },
        ]),
      );
    }
    const row = await this.pool.transaction(async (client, manager) => {
      const current = await manager.findOne(CommandEntity, {
        where: { commandid },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current) throw new NotFoundException(errorBody(404, `Command ${commandid} not found`));
      if (current.deviceid !== deviceid) {
        throw new ForbiddenException(errorBody(403, 'This command belongs to another device'));
      }
      const open = current.status === 'pending' || current.status === 'delivered';
      if (open && current.expires_at.getTime() <= Date.now()) {
        throw new ConflictException(errorBody(409, 'Command has expired'));
      }
      const verdict = checkReport(current.status, report.status);
      if (!verdict.ok) throw new ConflictException(errorBody(409, verdict.reason));
      if (!verdict.changed) return current;
      const now = new Date();
      const changes: Partial<CommandRow> = { status: report.status, updated_at: now };
      // A report without output keeps what an earlier report stored.
      if ((report.result ?? null) !== null) changes.result = report.result;
      if ((report.exit_code ?? null) !== null) changes.exit_code = report.exit_code;
      if (report.status === 'running') changes.started_at = current.started_at ?? now;
      if (report.status === 'completed' || report.status === 'failed') changes.finished_at = now;
      await manager.update(CommandEntity, { commandid }, changes);
      const updated: CommandRow = { ...current, ...changes };
      await this.forward(client, [updated], requestId);
      if (updated.status === 'completed' || updated.status === 'failed') {
        await this.webhooks.emit(client, 'command.completed', commandEvent(updated), requestId);
      }
      return updated;
    });
    this.forwarding.kick();
    this.webhooks.kick('command.completed');
    return row;
  }

  /** Expires overdue commands; returns how many. */
  async expireDue(): Promise<number> {
    const count = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<CommandRow>(EXPIRE_DUE);
      await this.forward(client, rows, null);
      return rows.length;
    });
    if (count > 0) {
      this.logger.log(`Expired ${count} command(s) past their deadline`);
      this.forwarding.kick();
    }
    return count;
  }

  onApplicationBootstrap(): void {
    this.sweep.start(this.config.COMMAND_SWEEP_INTERVAL);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweep.stop();
  }

  private async forward(
    client: PoolClient,
    rows: CommandRow[],
    requestId: string | null,
  ): Promise<void> {
    await this.forwarding.enqueue(
      client,
      'command_status',
      rows.map((row) => statusMessage(row, requestId)),
    );
  }
}
