import { BaseConfig, EnvDuration, EnvNumber } from '@app/platform';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';

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

  /** A device counts as online when it was seen within this window. */
  @EnvDuration('s')
  @IsInt({ message: 'ONLINE_WINDOW must be a duration such as 120 or 2m' })
  @Min(1000)
  ONLINE_WINDOW: number = 120_000;

  /** The Devices service, for the pull path (`POST /sync`); unset = push only. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  DEVICES_API_URL?: string;

  /** How often to reconcile by pulling the Devices export feed; 0 = only on `POST /sync`. */
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
}
