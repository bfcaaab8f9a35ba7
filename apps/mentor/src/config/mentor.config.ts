import {
  BaseConfig,
  DurationSetting,
  IntSetting,
  ListSetting,
  SecretSetting,
  UrlSetting,
} from '@app/platform';
import { ArrayMinSize, IsString, Matches } from 'class-validator';
import { defaultDashboardDir } from '../dashboard/dashboard-dir';

/** Every setting of the Mentor service, read once from the environment and validated. */
export class MentorConfig extends BaseConfig {
  @IntSetting(0, 65535)
  MENTOR_PORT: number = 8080;

  @IsString()
  DB_SCHEMA: string = 'mentor';

  /** The service credential the Devices service signs its requests with. */
  @SecretSetting(16)
  MENTOR_API_TOKEN?: string;

  /** Signs mentor access tokens (HS256). Generated in development, required in production. */
  @SecretSetting(32)
  JWT_SECRET?: string;

  /**
   * Password of the first admin (`admin`), used only when no user exists yet. Unset in
   * development: generated, printed once and kept in DATA_DIR/secrets.json.
   */
  @SecretSetting(12, 72)
  ADMIN_PASSWORD?: string;

  /** Lifetime of an access token (JWT). */
  @DurationSetting('15m', 10_000)
  ACCESS_TOKEN_TTL: number = 15 * 60_000;

  /** Lifetime of a refresh token; each use rotates it. */
  @DurationSetting('7d', 60_000)
  REFRESH_TOKEN_TTL: number = 7 * 86_400_000;

  /** bcrypt cost of stored password hashes (each step doubles the work). */
  @IntSetting(10, 15)
  PASSWORD_HASH_ROUNDS: number = 12;

  /** Window of the sign-in limits below. */
  @DurationSetting('15m', 1000)
  LOGIN_RATE_WINDOW: number = 15 * 60_000;

  /** Sign-in attempts one IP may make per LOGIN_RATE_WINDOW. */
  @IntSetting(1)
  LOGIN_MAX_ATTEMPTS_PER_IP: number = 30;

  /** Failed sign-ins per username per LOGIN_RATE_WINDOW before that username is held off. */
  @IntSetting(1)
  LOGIN_MAX_FAILURES_PER_USER: number = 5;

  /** The built web dashboard, served at `/` (made by `npm run build`). */
  @IsString()
  DASHBOARD_DIR: string = defaultDashboardDir();

  /** A device counts as online when it was seen within this window. */
  @DurationSetting('120 or 2m', 1000)
  ONLINE_WINDOW: number = 120_000;

  /** How often online state changes (a device falling silent) are announced on `/events`. */
  @DurationSetting('10s', 100)
  PRESENCE_CHECK_INTERVAL: number = 10_000;

  /** The Devices service, for the pull path (`POST /sync`); unset = push only. */
  @UrlSetting()
  DEVICES_API_URL?: string;

  /** How often to reconcile by pulling the Devices export feed (also once at start); 0 = only at start and on `POST /sync`. */
  @DurationSetting('300 or 5m', 0)
  SYNC_INTERVAL: number = 300_000;

  /** Records asked for per export page. */
  @IntSetting(1, 5000)
  SYNC_PAGE_SIZE: number = 1000;

  @DurationSetting('10s', 100)
  SYNC_TIMEOUT: number = 10_000;

  /** Timeout of one read or replay request the forwarding view sends to Devices. */
  @DurationSetting('5s', 100)
  DEVICES_REQUEST_TIMEOUT: number = 5_000;

  /** Forwarded batches are larger than device requests. */
  @IntSetting(1024)
  override BODY_LIMIT: number = 16 * 1_048_576;

  /** First words a command may start with. */
  @ListSetting(
    ArrayMinSize(1),
    Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
      each: true,
      message: 'COMMAND_ALLOWLIST must be command names such as get_info,status',
    }),
  )
  COMMAND_ALLOWLIST: string[] = [
    'get_info',
    'status',
    'restart',
    'get_processes',
    'get_logs',
    'restart_service',
    'screenshot',
  ];

  /** A command not picked up (or not started) within this time expires. */
  @DurationSetting('1h', 1000)
  COMMAND_TTL: number = 3_600_000;

  /** How often commands still pending past their deadline are expired. */
  @DurationSetting('30s', 100)
  COMMAND_SWEEP_INTERVAL: number = 30_000;

  /** Timeout of one command hand-off request to Devices (retries as forwarding). */
  @DurationSetting('10s', 100)
  COMMAND_HANDOFF_TIMEOUT: number = 10_000;
}
