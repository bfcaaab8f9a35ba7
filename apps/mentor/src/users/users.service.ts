import { MAX_PASSWORD_BYTES, type UserRole } from '@app/contracts';
import { ConfigError, errorBody, loadOrCreateDevSecrets, SqlPool } from '@app/platform';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { resolve } from 'node:path';
import { PasswordHasher } from '../auth/password-hasher';
import { MentorConfig } from '../config/mentor.config';

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: UserRole;
  created_at: Date;
}

export const FIRST_ADMIN = 'admin';

/** Mentor users. Usernames are stored lower-case and compared case-insensitively. */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersService.name);
  readonly hasher: PasswordHasher;

  constructor(
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
    const { rows } = await this.pool.query('SELECT 1 FROM users LIMIT 1');
    if (rows.length > 0) return this.explainAdminPasswordMismatch();
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
    const created = await this.pool.query(
      `INSERT INTO users (username, password_hash, role)
       SELECT $1, $2, 'admin' WHERE NOT EXISTS (SELECT 1 FROM users)
       ON CONFLICT (username) DO NOTHING`,
      [FIRST_ADMIN, hash],
    );
    if ((created.rowCount ?? 0) === 0) return;
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

  async findByUsername(username: string): Promise<UserRow | undefined> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users WHERE username = $1', [
      username.toLowerCase(),
    ]);
    return rows[0];
  }

  async findById(id: string): Promise<UserRow | undefined> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
    return rows[0];
  }

  async list(): Promise<UserRow[]> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM users ORDER BY username');
    return rows;
  }

  async create(username: string, password: string, role: UserRole): Promise<UserRow> {
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
      throw new BadRequestException(
        errorBody(400, `password must be at most ${MAX_PASSWORD_BYTES} bytes`, [
          { field: 'password', errors: [`at most ${MAX_PASSWORD_BYTES} bytes`] },
        ]),
      );
    }
    const hash = await this.hasher.hash(password);
    const { rows } = await this.pool.query<UserRow>(
      `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3)
       ON CONFLICT (username) DO NOTHING RETURNING *`,
      [username.toLowerCase(), hash, role],
    );
    if (rows.length === 0) {
      throw new ConflictException(errorBody(409, `User ${username.toLowerCase()} already exists`));
    }
    return rows[0];
  }

  /** Deletes a user and (by cascade) their sessions; the last admin cannot be deleted. */
  async delete(username: string): Promise<void> {
    const { rows } = await this.pool.query<{ id: string | null; found: number }>(
      `WITH target AS (SELECT id, role FROM users WHERE username = $1),
            deleted AS (
              DELETE FROM users u USING target t
               WHERE u.id = t.id
                 AND (t.role <> 'admin'
                      OR (SELECT count(*) FROM users WHERE role = 'admin') > 1)
               RETURNING u.id)
       SELECT (SELECT id FROM deleted) AS id, (SELECT count(*)::int FROM target) AS found`,
      [username.toLowerCase()],
    );
    if (rows[0].found === 0) {
      throw new NotFoundException(errorBody(404, `User ${username.toLowerCase()} not found`));
    }
    if (rows[0].id === null) {
      throw new ConflictException(errorBody(409, 'The last admin cannot be deleted'));
    }
  }
}
