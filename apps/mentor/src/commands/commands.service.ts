import {
  COMMAND_STATE_RANK,
  supersedes,
  type CommandListQueryDto,
  type ForwardedCommandStatusDto,
} from '@app/contracts';
import { DeliveryChannel, InjectDeliveryChannel } from '@app/delivery';
import { errorBody, pgPoolOf, withTransaction, PeriodicTask } from '@app/platform';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { SqlFilter } from '../common/sql-filter';
import { MentorConfig } from '../config/mentor.config';
import { publishEvents } from '../events/event-publisher';
import type { LiveEvent } from '../events/live-event';
import { FleetService } from '../fleet/fleet.service';
import { commandEventRecord, type CommandView } from './command-view';
import { DEVICES_CHANNEL } from './devices-channel';
import {
  APPLY_STATUS,
  COMMAND_COLUMNS,
  EXPIRE_PENDING,
  INSERT_COMMAND,
  LOCK_COMMAND,
} from './commands.sql';

export interface StatusOutcome {
  received: number;
  applied: number;
  ignored: number;
}

@Injectable()
export class CommandsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CommandsService.name);
  private readonly pool: Pool;
  private readonly allowed: ReadonlySet<string>;
  private readonly sweep = new PeriodicTask('Command expiry', () => this.expireDue(), this.logger);

  constructor(
    private readonly config: MentorConfig,
    dataSource: DataSource,
    private readonly fleet: FleetService,
    @InjectDeliveryChannel(DEVICES_CHANNEL) private readonly handoff: DeliveryChannel,
  ) {
    this.pool = pgPoolOf(dataSource);
    this.allowed = new Set(config.COMMAND_ALLOWLIST);
  }

  /** One commandid from here to the device and back; the row and its hand-off commit together. */
  async create(
    deviceid: string,
    commandText: string,
    issuedBy: string,
    requestId: string,
  ): Promise<CommandView> {
    const text = commandText.trim();
    const verb = text.split(/\s+/)[0] ?? '';
    if (!this.allowed.has(verb)) {
      throw new BadRequestException(
        errorBody(400, `Command ${JSON.stringify(verb)} is not allowed`, [
          {
            field: 'command_text',
            errors: [`the first word must be one of: ${[...this.allowed].join(', ')}`],
          },
        ]),
      );
    }
    await this.fleet.assertExists(deviceid);
    if (!this.handoff.enabled) {
      throw new ConflictException(
        errorBody(409, 'Commands need DEVICES_API_URL (and MENTOR_API_TOKEN) to reach devices'),
      );
    }
    const commandid = randomUUID();
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + this.config.COMMAND_TTL);
    const command = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<CommandView>(INSERT_COMMAND, [
        commandid,
        deviceid,
        text,
        issuedBy,
        createdAt.toISOString(),
        expiresAt.toISOString(),
      ]);
      await this.handoff.enqueue(client, [
        {
          topic: 'command',
          recordId: commandid,
          requestId,
          payload: {
            commandid,
            deviceid,
            command_text: text,
            issued_by: issuedBy,
            created_at: createdAt.toISOString(),
            expires_at: expiresAt.toISOString(),
          },
        },
      ]);
      await this.announce(client, rows);
      return rows[0];
    });
    this.handoff.kick();
    return command;
  }

  async list(deviceid: string, query: CommandListQueryDto): Promise<CommandView[]> {
    await this.fleet.assertExists(deviceid);
    const filter = new SqlFilter();
    filter.add((p) => `deviceid = ${p(deviceid)}`);
    if (query.status) filter.add((p) => `status = ${p(query.status)}`);
    filter.window(query, 'created_at', 'commandid');
    const limit = filter.param(query.limit);
    const { rows } = await this.pool.query<CommandView>(
      `SELECT ${COMMAND_COLUMNS} FROM commands ${filter.where}
       ORDER BY created_at DESC, commandid DESC LIMIT ${limit}`,
      filter.params,
    );
    return rows;
  }

  async get(deviceid: string, commandid: string): Promise<CommandView> {
    const { rows } = await this.pool.query<CommandView>(
      `SELECT ${COMMAND_COLUMNS} FROM commands WHERE commandid = $1 AND deviceid = $2`,
      [commandid, deviceid],
    );
    if (rows.length === 0) {
      throw new NotFoundException(errorBody(404, `Command ${commandid} not found`));
    }
    return rows[0];
  }

  /**
   * State changes forwarded by Devices. Arrival order does not matter: a state is applied only
   * when it is further along than the one held (see `supersedes`), so a redelivery or a late
   * `running` after `completed` changes nothing.
   */
  async applyStatuses(statuses: ForwardedCommandStatusDto[]): Promise<StatusOutcome> {
    const ordered = [...statuses].sort(
      (a, b) =>
        a.id.localeCompare(b.id) ||
        COMMAND_STATE_RANK[a.status] - COMMAND_STATE_RANK[b.status] ||
        Date.parse(a.timestamp) - Date.parse(b.timestamp),
    );
    const applied = await withTransaction(this.pool, async (client) => {
      const changed: CommandView[] = [];
      for (const status of ordered) {
        const { rows } = await client.query<CommandView & { expired_by_mentor: boolean }>(
          LOCK_COMMAND,
          [status.id],
        );
        const current = rows[0];
        if (!current || current.deviceid !== status.deviceid) continue;
        const wins = supersedes(current.status, status.status, {
          expiredByMentor: current.expired_by_mentor,
          nextAt: new Date(status.timestamp),
          expiresAt: current.expires_at,
        });
        if (!wins) continue;
        const updated = await client.query<CommandView>(APPLY_STATUS, [
          status.id,
          status.status,
          status.timestamp,
          status.result ?? null,
          status.exit_code ?? null,
        ]);
        changed.push(updated.rows[0]);
      }
      await this.announce(client, changed);
      return changed.length;
    });
    return { received: statuses.length, applied, ignored: statuses.length - applied };
  }

  /** Expires commands still pending at the mentor past their deadline. */
  async expireDue(): Promise<number> {
    const count = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<CommandView>(EXPIRE_PENDING);
      await this.announce(client, rows);
      return rows.length;
    });
    if (count > 0) this.logger.log(`Expired ${count} command(s) past their deadline`);
    return count;
  }

  onApplicationBootstrap(): void {
    this.sweep.start(this.config.COMMAND_SWEEP_INTERVAL);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweep.stop();
  }

  private async announce(client: PoolClient, commands: CommandView[]): Promise<void> {
    const events: LiveEvent[] = commands.map((command) => ({
      type: 'command',
      deviceid: command.deviceid,
      count: 1,
      records: [commandEventRecord(command)],
    }));
    await publishEvents(client, events);
  }
}
