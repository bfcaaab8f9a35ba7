import { IsIn, IsOptional, IsString, Matches, MinLength, ValidateIf } from 'class-validator';
import {
  DurationSetting,
  FlagSetting,
  IntSetting,
  ListSetting,
  OptionalTextSetting,
  UrlSetting,
} from './setting.decorators';

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
  @OptionalTextSetting()
  DATABASE_URL?: string;

  @IntSetting(1, 200)
  DATABASE_POOL_SIZE: number = 20;

  /** Run pending migrations at start (under an advisory lock, so replicas don't race). */
  @FlagSetting()
  MIGRATIONS_RUN: boolean = true;

  /** Largest accepted JSON body, in bytes. */
  @IntSetting(1024)
  BODY_LIMIT: number = 1_048_576;

  /** How long SIGTERM waits for in-flight work before the process exits anyway. */
  @DurationSetting('10s', 0)
  SHUTDOWN_GRACE: number = 10_000;

  /** Browser origins allowed to call the API (CORS), comma-separated; none by default. */
  @ListSetting(
    Matches(/^https?:\/\/[^\s/]+$/, {
      each: true,
      message: 'CORS_ORIGINS must be origins such as https://dash.example.com',
    }),
  )
  CORS_ORIGINS: string[] = [];

  /** Reverse proxies (IPs or CIDRs) whose X-Forwarded-For gives the client IP; none by default. */
  @ListSetting(IsString({ each: true }))
  TRUST_PROXY: string[] = [];

  /** Window of the per-IP request limit. */
  @DurationSetting('60s or 1m', 1000)
  RATE_LIMIT_WINDOW: number = 60_000;

  /** Requests one client IP may make per RATE_LIMIT_WINDOW (health and metrics excluded). */
  @IntSetting(1)
  RATE_LIMIT_PER_IP: number = 3000;

  /** Largest screenshot accepted, in bytes (`413` above). */
  @IntSetting(1024)
  SCREENSHOT_MAX_BYTES: number = 5 * 1_048_576;

  /**
   * Telemetry (metrics, activities, alerts: whole daily partitions, so kept up to one day
   * longer) and screenshots (rows and images) older than this many days are pruned.
   */
  @IntSetting(1)
  RETENTION_DAYS: number = 30;

  /** How often the retention prune and partition maintenance run (also once at start). */
  @DurationSetting('1h', 1000)
  RETENTION_INTERVAL: number = 3_600_000;

  /** Telemetry partitions are created for today and this many days ahead. */
  @IntSetting(1, 90)
  PARTITION_PREMAKE_DAYS: number = 7;

  /**
   * How long creating or dropping a partition waits for its table lock (behind a long query,
   * new queries queue up behind the waiting lock); on time-out it is tried on the next run.
   */
  @DurationSetting('2s', 100, 60_000)
  PARTITION_LOCK_TIMEOUT: number = 2000;

  /** Where screenshot images are kept: `local` files or an `s3`-compatible bucket. */
  @IsIn(['local', 's3'])
  STORAGE_DRIVER: 'local' | 's3' = 'local';

  /** Folder of the local driver; default DATA_DIR/<service>/blobs. */
  @OptionalTextSetting()
  STORAGE_DIR?: string;

  @ValidateIf((config: BaseConfig) => config.STORAGE_DRIVER === 's3')
  @IsString({ message: 'S3_BUCKET is required when STORAGE_DRIVER=s3' })
  @MinLength(3)
  S3_BUCKET?: string;

  /** e.g. http://minio:9000; unset = AWS. */
  @UrlSetting()
  S3_ENDPOINT?: string;

  @IsString()
  S3_REGION: string = 'us-east-1';

  /** Unset = the AWS default credential chain (environment, instance role...). */
  @OptionalTextSetting()
  S3_ACCESS_KEY_ID?: string;

  @OptionalTextSetting()
  S3_SECRET_ACCESS_KEY?: string;

  /** Path-style URLs (bucket in the path), as MinIO needs. */
  @FlagSetting()
  S3_FORCE_PATH_STYLE: boolean = true;

  /** Key prefix inside the bucket; default `<service>/`. */
  @OptionalTextSetting()
  S3_PREFIX?: string;

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}
