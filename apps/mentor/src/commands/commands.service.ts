import {
  COMMAND_STATE_RANK,
  supersedes,
  type CommandListQueryDto,
  type ForwardedCommandStatusDto,
} from '@app/contracts';
import { errorBody, SqlPool, withTransaction, PeriodicTask } from '@app/platform';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { FindOptionsSelect, Repository } from 'typeorm';
import { SqlFilter } from '../common/sql-filter';
import { MentorConfig } from '../config/mentor.config';
import { publishEvents } from '../events/event-publisher';
import type { LiveEvent } from '../events/live-event';
import { FleetService } from '../fleet/fleet.service';
import { CommandHandoff } from './command-handoff.service';
import { CommandEntity } from './command.entity';
import { commandEventRecord, type CommandView } from './command-view';
import { COMMAND_COLUMNS, EXPIRE_PENDING } from './commands.sql';

/** The columns of a command as the API shows it, and the flag the status rules need. */
const WITH_EXPIRY_FLAG: FindOptionsSelect<CommandEntity> = {
  commandid: true,
  deviceid: true,
  command_text: true,
  issued_by: true,
  status: true,
  result: true,
  exit_code: true,
  created_at: true,
  expires_at: true,
  status_at: true,
  delivered_at: true,
  started_at: true,
  finished_at: true,
  updated_at: true,
  expired_by_mentor: true,
};

export interface StatusOutcome {
  received: number;
  applied: number;
  ignored: number;
}

@Injectable()
export class CommandsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CommandsService.name);
  private readonly allowed: ReadonlySet<string>;
  private readonly sweep = new PeriodicTask('Command expiry', () => this.expireDue(), this.logger);

  constructor(
    private readonly config: MentorConfig,
    private readonly pool: SqlPool,
    @InjectRepository(CommandEntity) private readonly commands: Repository<CommandEntity>,
    private readonly fleet: FleetService,
    private readonly handoff: CommandHandoff,
  ) {
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
    const command = await this.pool.transaction(async (client, manager) => {
      await manager.insert(CommandEntity, {
        commandid,
        deviceid,
        command_text: text,
        issued_by: issuedBy,
        created_at: createdAt,
        expires_at: expiresAt,
        status_at: createdAt,
      });
      const created: CommandView = await manager.findOneByOrFail(CommandEntity, { commandid });
      await this.handoff.enqueue(
        client,
        commandid,
        {
          commandid,
          deviceid,
          command_text: text,
          issued_by: issuedBy,
          created_at: createdAt.toISOString(),
          expires_at: expiresAt.toISOString(),
        },
        requestId,
      );
      await this.announce(client, [created]);
      return created;
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
    const command = await this.commands.findOneBy({ commandid, deviceid });
    if (!command) throw new NotFoundException(errorBody(404, `Command ${commandid} not found`));
    return command;
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
    const applied = await this.pool.transaction(async (client, manager) => {
      const changed: CommandView[] = [];
      for (const status of ordered) {
        const current = await manager.findOne(CommandEntity, {
          select: WITH_EXPIRY_FLAG,
          where: { commandid: status.id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!current || current.deviceid !== status.deviceid) continue;
        const wins = supersedes(current.status, status.status, {
          expiredByMentor: current.expired_by_mentor,
          nextAt: new Date(status.timestamp),
          expiresAt: current.expires_at,
        });
        if (!wins) continue;
        const at = new Date(status.timestamp);
        const changes: Partial<CommandEntity> = {
          status: status.status,
          status_at: at,
          expired_by_mentor: false,
          updated_at: new Date(),
        };
        // A state without output keeps what an earlier one brought.
        if ((status.result ?? null) !== null) changes.result = status.result;
        if ((status.exit_code ?? null) !== null) changes.exit_code = status.exit_code;
        if (status.status === 'delivered') changes.delivered_at = at;
        if (status.status === 'running') changes.started_at = at;
        if (status.status === 'completed' || status.status === 'failed') changes.finished_at = at;
        await manager.update(CommandEntity, { commandid: status.id }, changes);
        const { expired_by_mentor: _flag, ...view } = { ...current, ...changes };
        changed.push(view);
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
