import { BaseConfig, EnvDuration, EnvList, EnvNumber } from '@app/platform';
import {
  ArrayMinSize,
  IsArray,
  IsInt,
  Matches,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

/** Every setting of the Mentor service, read once from the environment and validated. */
export class MentorConfig extends BaseConfig {
  @EnvNumber()
  @IsInt()
  @Min(0)
  @Max(65535)
  MENTOR_PORT: number = 8080;

  @IsString()
  DB_SCHEMA: string = 'mentor';

  /** The service credential the Devices service signs its requests with. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  MENTOR_API_TOKEN?: string;

  /** Signs mentor access tokens (HS256). Generated in development, required in production. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  JWT_SECRET?: string;

  /**
   * Password of the first admin (`admin`), used only when no user exists yet. Unset in
   * development: generated, printed once and kept in DATA_DIR/secrets.json.
   */
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(72)
  ADMIN_PASSWORD?: string;

  /** Lifetime of an access token (JWT). */
  @EnvDuration('s')
  @IsInt({ message: 'ACCESS_TOKEN_TTL must be a duration such as 15m' })
  @Min(10_000)
  ACCESS_TOKEN_TTL: number = 15 * 60_000;

  /** Lifetime of a refresh token; each use rotates it. */
  @EnvDuration('s')
  @IsInt({ message: 'REFRESH_TOKEN_TTL must be a duration such as 7d' })
  @Min(60_000)
  REFRESH_TOKEN_TTL: number = 7 * 86_400_000;

  /** bcrypt cost of stored password hashes (each step doubles the work). */
  @EnvNumber()
  @IsInt()
  @Min(10)
  @Max(15)
  PASSWORD_HASH_ROUNDS: number = 12;

  /** Window of the sign-in limits below. */
  @EnvDuration('s')
  @IsInt({ message: 'LOGIN_RATE_WINDOW must be a duration such as 15m' })
  @Min(1000)
  LOGIN_RATE_WINDOW: number = 15 * 60_000;

  /** Sign-in attempts one IP may make per LOGIN_RATE_WINDOW. */
  @EnvNumber()
  @IsInt()
  @Min(1)
  LOGIN_MAX_ATTEMPTS_PER_IP: number = 30;

  /** Failed sign-ins per username per LOGIN_RATE_WINDOW before that username is held off. */
  @EnvNumber()
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_USER: number = 5;

  /** A device counts as online when it was seen within this window. */
  @EnvDuration('s')
  @IsInt({ message: 'ONLINE_WINDOW must be a duration such as 120 or 2m' })
  @Min(1000)
  ONLINE_WINDOW: number = 120_000;

  /** The Devices service, for the pull path (`POST /sync`); unset = push only. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  DEVICES_API_URL?: string;

  /** How often to reconcile by pulling the Devices export feed (also once at start); 0 = only at start and on `POST /sync`. */
  @EnvDuration('s')
  @IsInt({ message: 'SYNC_INTERVAL must be a duration such as 300 or 5m' })
  @Min(0)
  SYNC_INTERVAL: number = 300_000;

  /** Records asked for per export page. */
  @EnvNumber()
  @IsInt()
  @Min(1)
  @Max(5000)
  SYNC_PAGE_SIZE: number = 1000;

  @EnvDuration('s')
  @IsInt({ message: 'SYNC_TIMEOUT must be a duration such as 10s' })
  @Min(100)
  SYNC_TIMEOUT: number = 10_000;

  /** Forwarded batches are larger than device requests. */
  @EnvNumber()
  @IsInt()
  @Min(1024)
  override BODY_LIMIT: number = 16 * 1_048_576;

  /** First words a command may start with. */
  @EnvList()
  @IsArray()
  @ArrayMinSize(1)
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    each: true,
    message: 'COMMAND_ALLOWLIST must be command names such as get_info,status',
  })
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
  @EnvDuration('s')
  @IsInt({ message: 'COMMAND_TTL must be a duration such as 1h' })
  @Min(1000)
  COMMAND_TTL: number = 3_600_000;

  /** How often commands still pending past their deadline are expired. */
  @EnvDuration('s')
  @IsInt({ message: 'COMMAND_SWEEP_INTERVAL must be a duration such as 30s' })
  @Min(100)
  COMMAND_SWEEP_INTERVAL: number = 30_000;

  /** Timeout of one command hand-off request to Devices (retries as forwarding). */
  @EnvDuration('s')
  @IsInt({ message: 'COMMAND_HANDOFF_TIMEOUT must be a duration such as 10s' })
  @Min(100)
  COMMAND_HANDOFF_TIMEOUT: number = 10_000;
}
