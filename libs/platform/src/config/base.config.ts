import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { EnvBoolean, EnvDuration, EnvNumber } from './env.decorators';

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

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}
