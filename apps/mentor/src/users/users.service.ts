import { MAX_PASSWORD_BYTES, type UserRole } from '@app/contracts';
import { ConfigError, errorBody, loadOrCreateDevSecrets, prepared, SqlPool } from '@app/platform';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { resolve } from 'node:path';
import type { Repository } from 'typeorm';
import { PasswordHasher } from '../auth/password-hasher';
import { MentorConfig } from '../config/mentor.config';
import { UserEntity } from './user.entity';

export const FIRST_ADMIN = 'admin';

/** Mentor users. Usernames are stored lower-case and compared case-insensitively. */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);
  readonly hasher: PasswordHasher;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly pool: SqlPool,
    private readonly config: MentorConfig,
  ) {
    this.hasher = new PasswordHasher(config.PASSWORD_HASH_ROUNDS);
  }

  /**
   * The first admin: created once, when no user exists, as `admin` with ADMIN_PASSWORD. In
   * development without it, the generated password from DATA_DIR/secrets.json is used and
   * printed this once; in production ADMIN_PASSWORD is then required. Replicas starting
   * together race safely: the insert only happens while the table is empty and the username
   * is unique.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.exists()) return this.explainAdminPasswordMismatch();
    let password = this.config.ADMIN_PASSWORD;
    let generated = false;
    if (!password) {
      if (this.config.isProduction) {
        throw new ConfigError([
          'ADMIN_PASSWORD: must be set when NODE_ENV=production to create the first admin (no user exists yet)',
        ]);
      }
      password = loadOrCreateDevSecrets(resolve(this.config.DATA_DIR)).secrets.ADMIN_PASSWORD;
      generated = true;
    }
    const hash = await this.hasher.hash(password);
    // No user can be created without an admin, so only another replica starting at the same
    // time can get here first, with the same username: the unique key keeps one.
    const created = await this.users
      .createQueryBuilder()
      .insert()
      .values({ username: FIRST_ADMIN, password_hash: hash, role: 'admin' })
      .orIgnore()
      .returning(['id'])
      .execute();
    if (created.raw.length === 0) return;
    this.logger.log(`Created the first admin user "${FIRST_ADMIN}"`);
    if (generated) {
      // Printed once, outside the structured log, so it can be copied; it is not logged again.
      process.stdout.write(
        `\n  First admin created: username "${FIRST_ADMIN}", password ${password}\n` +
          `  (generated; kept in ${resolve(this.config.DATA_DIR, 'secrets.json')}; set ADMIN_PASSWORD to choose it)\n\n`,
      );
    }
  }

  /**
   * ADMIN_PASSWORD (or the generated one in secrets.json) is read only while no user exists, so
   * after it changes (or secrets.json is regenerated over an existing database) it no longer
   * signs in. Say so at start-up, without the password, instead of leaving a silent 401.
   */
  private async explainAdminPasswordMismatch(): Promise<void> {
    const secretsPath = resolve(this.config.DATA_DIR, 'secrets.json');
    let password = this.config.ADMIN_PASSWORD;
    let source = 'ADMIN_PASSWORD';
    if (!password) {
      if (this.config.isProduction) return;
      password = loadOrCreateDevSecrets(resolve(this.config.DATA_DIR)).secrets.ADMIN_PASSWORD;
      source = `the generated ADMIN_PASSWORD in ${secretsPath}`;
    }
    const admin = await this.findByUsername(FIRST_ADMIN);
    if (!admin || (await this.hasher.verify(password, admin.password_hash))) return;
    const reset = this.config.DATABASE_URL
      ? 'drop the database of DATABASE_URL'
      : `delete ${resolve(this.config.DATA_DIR)}, which holds the embedded database`;
    this.logger.warn(
      `${source} does not sign in as "${FIRST_ADMIN}": that user already exists with the ` +
        'password it was created with, and ADMIN_PASSWORD is only used while no user exists. ' +
        `Sign in with the earlier password, or start over: ${reset} (see README, "Starting over").`,
    );
  }

  async findByUsername(username: string): Promise<UserEntity | undefined> {
    return (await this.users.findOneBy({ username: username.toLowerCase() })) ?? undefined;
  }

  /**
   * Read on every authenticated request (the session guard), so it stays one prepared
   * statement on SqlPool: a repository's findOneBy costs several times its CPU.
   */
  async findById(id: string): Promise<UserEntity | undefined> {
    const { rows } = await this.pool.query<UserEntity>(
      prepared(
        'SELECT id, username, password_hash, role, created_at, updated_at FROM users WHERE id = $1',
        [id],
      ),
    );
    return rows[0];
  }

  async list(): Promise<UserEntity[]> {
    return this.users.find({ order: { username: 'ASC' } });
  }

  async create(username: string, password: string, role: UserRole): Promise<UserEntity> {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
      throw new BadRequestException(
        errorBody(400, `password must be at most ${MAX_PASSWORD_BYTES} bytes`, [
          { field: 'password', errors: [`at most ${MAX_PASSWORD_BYTES} bytes`] },
        ]),
      );
    }
    const hash = await this.hasher.hash(password);
    const created = await this.users
      .createQueryBuilder()
      .insert()
      .values({ username: username.toLowerCase(), password_hash: hash, role })
      .orIgnore()
      .returning('*')
      .execute();
    if (created.raw.length === 0) {
      throw new ConflictException(errorBody(409, `User ${username.toLowerCase()} already exists`));
    }
    return this.users.create(created.raw[0] as UserEntity);
  }

  /** Deletes a user and (by cascade) their sessions; the last admin cannot be deleted. */
  async delete(username: string): Promise<void> {
    await this.changeUser(username, 'deleted', async (users, target) => {
      // Sessions go with the user (ON DELETE CASCADE).
      await users.delete({ id: target.id });
      return target;
    });
  }

  /** Gives a user another role; the last admin cannot become a viewer. Takes effect at once. */
  async setRole(username: string, role: UserRole): Promise<UserEntity> {
    const losesAdmin = role === 'admin' ? undefined : 'made a viewer';
    return this.changeUser(username, losesAdmin, async (users, target) => {
      if (target.role === role) return target;
      await users.update({ id: target.id }, { role, updated_at: () => 'now()' });
      return { ...target, role };
    });
  }

  /**
   * Runs `change` on a user in a transaction; when it would take away an admin (`losesAdmin`
   * names how), it is refused with a 409 unless another admin remains.
   */
  private async changeUser(
    username: string,
    losesAdmin: string | undefined,
    change: (users: Repository<UserEntity>, target: UserEntity) => Promise<UserEntity>,
  ): Promise<UserEntity> {
    const name = username.toLowerCase();
    return this.users.manager.transaction(async (manager) => {
      const users = manager.getRepository(UserEntity);
      const target = await users.findOneBy({ username: name });
      if (!target) throw new NotFoundException(errorBody(404, `User ${name} not found`));
      if (losesAdmin && target.role === 'admin') {
        // Every admin row locked: two admins removing each other at once must not both succeed.
        const admins = await users.find({
          where: { role: 'admin' },
          lock: { mode: 'pessimistic_write' },
        });
        if (admins.length <= 1) {
          throw new ConflictException(errorBody(409, `The last admin cannot be ${losesAdmin}`));
        }
      }
      return change(users, target);
    });
  }
}
