import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { EnvBoolean, EnvDuration, EnvList, EnvNumber } from './env.decorators';

/** Settings every service reads the same way. Each app's config class extends this one. */
export class BaseConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  @IsString()
  HOST: string = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** `json` in production; `pretty` is easier to read in a terminal. */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: string;

  /** Where development data lives: embedded PostgreSQL clusters and generated secrets. */
  @IsString()
  DATA_DIR: string = '.data';

  /** PostgreSQL connection URL; unset means an embedded cluster under DATA_DIR. */
  @IsOptional()
  @IsString()
  DATABASE_URL?: string;

  @EnvNumber()
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = 20;

  /** Run pending migrations at start (under an advisory lock, so replicas don't race). */
  @EnvBoolean()
  @IsBoolean()
  MIGRATIONS_RUN: boolean = true;

  /** Largest accepted JSON body, in bytes. */
  @EnvNumber()
  @IsInt()
  @Min(1024)
  BODY_LIMIT: number = 1_048_576;

  /** How long SIGTERM waits for in-flight work before the process exits anyway. */
  @EnvDuration('s')
  @IsInt({ message: 'SHUTDOWN_GRACE must be a duration such as 10s' })
  @Min(0)
  SHUTDOWN_GRACE: number = 10_000;

  /** Browser origins allowed to call the API (CORS), comma-separated; none by default. */
  @EnvList()
  @IsArray()
  @Matches(/^https?:\/\/[^\s/]+$/, {
    each: true,
    message: 'CORS_ORIGINS must be origins such as https://dash.example.com',
  })
  CORS_ORIGINS: string[] = [];

  /** Reverse proxies (IPs or CIDRs) whose X-Forwarded-For gives the client IP; none by default. */
  @EnvList()
  @IsArray()
  @IsString({ each: true })
  TRUST_PROXY: string[] = [];

  /** Window of the per-IP request limit. */
  @EnvDuration('s')
  @IsInt({ message: 'RATE_LIMIT_WINDOW must be a duration such as 60s or 1m' })
  @Min(1000)
  RATE_LIMIT_WINDOW: number = 60_000;

  /** Requests one client IP may make per RATE_LIMIT_WINDOW (health and metrics excluded). */
  @EnvNumber()
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_IP: number = 3000;

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}
