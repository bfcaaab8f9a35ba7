import { BaseConfig, EnvBoolean, EnvDuration, EnvList, EnvNumber } from '@app/platform';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
} from 'class-validator';

/** Every setting of the Devices service, read once from the environment and validated. */
export class DevicesConfig extends BaseConfig {
  @EnvNumber()
  @IsInt()
  @Min(0)
  @Max(65535)
  DEVICES_PORT: number = 8081;

  @IsString()
  DB_SCHEMA: string = 'devices';

  /** Where to forward; unset = standalone (nothing is queued). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  MENTOR_API_URL?: string;

  /** Service credential sent to the mentor and required on internal endpoints. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  MENTOR_API_TOKEN?: string;

  @IsOptional()
  @IsString()
  @MinLength(16)
  ENROLLMENT_SECRET?: string;

  /**
   * Telemetry needs the device's token and registration the enrollment secret. `false` is the
   * INSECURE legacy switch for agents that predate tokens (anyone can post for any device id).
   */
  @EnvBoolean()
  @IsBoolean()
  DEVICE_AUTH_REQUIRED: boolean = true;

  /**
   * How long a replica trusts a token it looked up. Revocation and rotation act at once on
   * the replica that handled them; other replicas notice within this time.
   */
  @EnvDuration('s')
  @IsInt({ message: 'DEVICE_TOKEN_CACHE_TTL must be a duration such as 30s' })
  @Min(0)
  DEVICE_TOKEN_CACHE_TTL: number = 30_000;

  /** Requests one device may make per RATE_LIMIT_WINDOW (counted after authentication). */
  @EnvNumber()
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_DEVICE: number = 600;

  /** Operator keys, comma-separated so a new one can be rolled out before the old is removed. */
  @EnvList()
  @IsArray()
  @IsString({ each: true })
  @MinLength(16, { each: true })
  OPERATOR_API_KEY: string[] = [];

  @EnvNumber()
  @IsInt()
  @Min(0)
  @Max(10)
  FORWARD_MAX_RETRIES: number = 3;

  @EnvDuration('s')
  @IsInt({ message: 'FORWARD_TIMEOUT must be a duration such as 10 or 10s' })
  @Min(100)
  FORWARD_TIMEOUT: number = 10_000;

  @EnvDuration('s')
  @IsInt({ message: 'FORWARD_MAX_BACKOFF must be a duration such as 300 or 5m' })
  @Min(1000)
  FORWARD_MAX_BACKOFF: number = 300_000;

  @EnvDuration('s')
  @IsInt({ message: 'FORWARD_DEAD_LETTER_AFTER must be a duration such as 72h' })
  @Min(1000)
  FORWARD_DEAD_LETTER_AFTER: number = 72 * 3_600_000;

  @EnvNumber()
  @IsInt()
  @Min(1)
  @Max(5000)
  FORWARD_BATCH_SIZE: number = 1000;

  @EnvNumber()
  @IsInt()
  @Min(1)
  @Max(16)
  FORWARD_CONCURRENCY: number = 4;

  @EnvBoolean()
  @IsBoolean()
  FORWARD_METRICS: boolean = true;

  @EnvBoolean()
  @IsBoolean()
  FORWARD_ACTIVITIES: boolean = true;

  @EnvBoolean()
  @IsBoolean()
  FORWARD_PROCESSES: boolean = true;

  @EnvBoolean()
  @IsBoolean()
  FORWARD_ALERTS: boolean = true;

  @EnvBoolean()
  @IsBoolean()
  FORWARD_SCREENSHOTS: boolean = true;

  /**
   * Rows one group commit writes at most; concurrent requests share a transaction. A forwarded
   * kind's groups also hold at most FORWARD_BATCH_SIZE rows (one outbox bundle).
   */
  @EnvNumber()
  @IsInt()
  @Min(1)
  @Max(20000)
  INGEST_GROUP_MAX_ROWS: number = 5000;

  /** How often commands left pending or delivered past their deadline are expired. */
  @EnvDuration('s')
  @IsInt({ message: 'COMMAND_SWEEP_INTERVAL must be a duration such as 30s' })
  @Min(100)
  COMMAND_SWEEP_INTERVAL: number = 30_000;
}
