import { Pool } from 'pg';
import { FaultProxy } from './fault-proxy';
import { bearer, login } from './auth';
import { freePort } from './free-port';
import { request } from './http-client';
import { createTestDatabase, dropTestDatabase } from './pg';
import {
  ServiceProcess,
  TEST_ADMIN_PASSWORD,
  TEST_ENROLLMENT_SECRET,
  TEST_JWT_SECRET,
  TEST_OPERATOR_KEY,
  TEST_SERVICE_TOKEN,
} from './services';

export interface StackOptions {
  /** Start the mentor (default true). */
  mentor?: boolean;
  /** Put a FaultProxy between Devices and Mentor. */
  proxy?: boolean;
  /** Forward at all (default true when a mentor runs). */
  forward?: boolean;
  devicesEnv?: Record<string, string>;
  mentorEnv?: Record<string, string>;
}

/**
 * Both real services on one fresh database (each in its own schema, as in production with a
 * shared server), optionally with a fault proxy between them, plus pools for asserting on
 * what each service stored.
 */
export class Stack {
  proxy?: FaultProxy;
  mentor?: ServiceProcess;
  devices!: ServiceProcess;
  devicesDb!: Pool;
  mentorDb!: Pool;
  /** The current token of each device this stack registered (see registerDevice). */
  readonly deviceTokens = new Map<string, string>();
  private adminAuth?: Record<string, string>;
  private dbName!: string;

  static async start(name: string, options: StackOptions = {}): Promise<Stack> {
    const stack = new Stack();
    const db = await createTestDatabase(name);
    stack.dbName = db.name;
    const common = { DATABASE_URL: db.url, MENTOR_API_TOKEN: TEST_SERVICE_TOKEN };
    try {
      let mentorUrl: string | undefined;
      // Known before Devices starts, so the Mentor can pull from it (POST /sync).
      const devicesPort = await freePort();
      if (options.mentor !== false) {
        stack.mentor = await ServiceProcess.start('mentor', {
          ...common,
          DEVICES_API_URL: `http://127.0.0.1:${devicesPort}`,
          JWT_SECRET: TEST_JWT_SECRET,
          ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
          // The lowest cost the config allows keeps sign-ins in tests fast.
          PASSWORD_HASH_ROUNDS: '10',
          ...options.mentorEnv,
        });
        mentorUrl = stack.mentor.url;
        if (options.proxy) {
          stack.proxy = new FaultProxy(stack.mentor.url);
          mentorUrl = await stack.proxy.start();
        }
      }
      const forward = options.forward ?? mentorUrl !== undefined;
      stack.devices = await ServiceProcess.start(
        'devices',
        {
          ...common,
          OPERATOR_API_KEY: TEST_OPERATOR_KEY,
          ENROLLMENT_SECRET: TEST_ENROLLMENT_SECRET,
          ...(forward && mentorUrl ? { MENTOR_API_URL: mentorUrl } : {}),
          ...options.devicesEnv,
        },
        devicesPort,
      );
      stack.devicesDb = new Pool({
        connectionString: db.url,
        max: 2,
        options: '-c search_path=devices',
      });
      stack.mentorDb = new Pool({
        connectionString: db.url,
        max: 2,
        options: '-c search_path=mentor',
      });
      return stack;
    } catch (error) {
      await stack.close();
      throw error;
    }
  }

  get api(): string {
    return `${this.devices.url}/api/v1`;
  }

  /**
   * Enrols a device the way an agent does (with the enrollment secret) and keeps its token;
   * fails the test unless the service answers 201 with a token.
   */
  async registerDevice(deviceid: string, info: Record<string, unknown> = {}): Promise<string> {
    const response = await request<{ device_token?: string }>(
      'POST',
      `${this.api}/devices/register`,
      {
        body: { deviceid, ...info },
        headers: { 'x-enrollment-secret': TEST_ENROLLMENT_SECRET },
      },
    );
    if (response.status !== 201 || typeof response.body.device_token !== 'string') {
      throw new Error(
        `registering ${deviceid} answered ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    this.deviceTokens.set(deviceid, response.body.device_token);
    return response.body.device_token;
  }

  /** `Authorization` header of a device registered through registerDevice. */
  asDevice(deviceid: string): Record<string, string> {
    const token = this.deviceTokens.get(deviceid);
    if (!token) throw new Error(`${deviceid} was not registered through stack.registerDevice`);
    return { authorization: `Bearer ${token}` };
  }

  /** `Authorization` header of a signed-in mentor admin (signs in once per stack). */
  async asAdmin(): Promise<Record<string, string>> {
    if (!this.mentor) throw new Error('this stack runs no mentor');
    this.adminAuth ??= bearer(
      (await login(this.mentor.url, 'admin', TEST_ADMIN_PASSWORD)).access_token,
    );
    return this.adminAuth;
  }

  async close(): Promise<void> {
    await this.devices?.stop();
    await this.mentor?.stop();
    await this.proxy?.stop();
    await this.devicesDb?.end();
    await this.mentorDb?.end();
    if (this.dbName) await dropTestDatabase(this.dbName);
  }

  /**
   * Runs a test's setup and, when it fails, adds the services' warnings and errors to the
   * message: a setup that times out in CI otherwise leaves nothing to go on.
   */
  async setUp(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\n${this.problems()}`, { cause: error });
    }
  }

  /** The last warning and error lines each service logged (pino levels 40 and up). */
  problems(lines = 20): string {
    const services = [this.devices, this.mentor].filter((s): s is ServiceProcess => !!s);
    return services
      .map((service) => {
        const bad = service.logs
          .split('\n')
          .filter((line) => /"level":(4|5|6)\d/.test(line))
          .slice(-lines);
        return `--- ${service.name}: ${bad.length === 0 ? 'no warnings or errors' : bad.join('\n')}`;
      })
      .join('\n');
  }

  /** Ids stored in one of the mentor's tables. */
  async mentorIds(table: string): Promise<string[]> {
    const { rows } = await this.mentorDb.query<{ id: string }>(
      `SELECT id FROM ${table} ORDER BY id`,
    );
    return rows.map((row) => row.id);
  }

  async devicesIds(table: string): Promise<string[]> {
    const { rows } = await this.devicesDb.query<{ id: string }>(
      `SELECT id FROM ${table} ORDER BY id`,
    );
    return rows.map((row) => row.id);
  }

  /** Records waiting in the Devices outbox (a bundle counts as the records it holds). */
  async pendingOutbox(): Promise<number> {
    const { rows } = await this.devicesDb.query<{ n: number }>(
      `SELECT coalesce(sum(coalesce(bundle_size, 1)), 0)::int AS n FROM outbox
       WHERE status = 'pending'`,
    );
    return rows[0].n;
  }
}
