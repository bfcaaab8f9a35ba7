import {
  BaseConfig,
  DurationSetting,
  FlagSetting,
  IntSetting,
  ListSetting,
  SecretSetting,
  UrlSetting,
} from '@app/platform';
import { IsString, MinLength } from 'class-validator';

/** Every setting of the Devices service, read once from the environment and validated. */
export class DevicesConfig extends BaseConfig {
  @IntSetting(0, 65535)
  DEVICES_PORT: number = 8081;

  @IsString()
  DB_SCHEMA: string = 'devices';

  /** Where to forward; unset = standalone (nothing is queued). */
  @UrlSetting()
  MENTOR_API_URL?: string;

  /** Service credential sent to the mentor and required on internal endpoints. */
  @SecretSetting(16)
  MENTOR_API_TOKEN?: string;

  @SecretSetting(16)
  ENROLLMENT_SECRET?: string;

  /**
   * Telemetry needs the device's token and registration the enrollment secret. `false` is the
   * INSECURE legacy switch for agents that predate tokens (anyone can post for any device id).
   */
  @FlagSetting()
  DEVICE_AUTH_REQUIRED: boolean = true;

  /**
   * How long a replica trusts a token it looked up. Revocation and rotation act at once on
   * the replica that handled them; other replicas notice within this time.
   */
  @DurationSetting('30s', 0)
  DEVICE_TOKEN_CACHE_TTL: number = 30_000;

  /** Requests one device may make per RATE_LIMIT_WINDOW (counted after authentication). */
  @IntSetting(1)
  RATE_LIMIT_PER_DEVICE: number = 600;

  /** Operator keys, comma-separated so a new one can be rolled out before the old is removed. */
  @ListSetting(IsString({ each: true }), MinLength(16, { each: true }))
  OPERATOR_API_KEY: string[] = [];

  @IntSetting(0, 10)
  FORWARD_MAX_RETRIES: number = 3;

  @DurationSetting('10 or 10s', 100)
  FORWARD_TIMEOUT: number = 10_000;

  @DurationSetting('300 or 5m', 1000)
  FORWARD_MAX_BACKOFF: number = 300_000;

  @DurationSetting('72h', 1000)
  FORWARD_DEAD_LETTER_AFTER: number = 72 * 3_600_000;

  @IntSetting(1, 5000)
  FORWARD_BATCH_SIZE: number = 1000;

  @IntSetting(1, 16)
  FORWARD_CONCURRENCY: number = 4;

  @FlagSetting()
  FORWARD_METRICS: boolean = true;

  @FlagSetting()
  FORWARD_ACTIVITIES: boolean = true;

  @FlagSetting()
  FORWARD_PROCESSES: boolean = true;

  @FlagSetting()
  FORWARD_ALERTS: boolean = true;

  @FlagSetting()
  FORWARD_SCREENSHOTS: boolean = true;

  /**
   * Rows one group commit writes at most; concurrent requests share a transaction. A forwarded
   * kind's groups also hold at most FORWARD_BATCH_SIZE rows (one outbox bundle).
   */
  @IntSetting(1, 20000)
  INGEST_GROUP_MAX_ROWS: number = 5000;

  /** How often commands left pending or delivered past their deadline are expired. */
  @DurationSetting('30s', 100)
  COMMAND_SWEEP_INTERVAL: number = 30_000;

  /** Webhook URLs may use plain http (never in production: the payloads travel unencrypted). */
  @FlagSetting()
  WEBHOOK_ALLOW_HTTP: boolean = false;

  /**
   * Webhook hosts may resolve to loopback, private, link-local, unique-local, multicast or cloud
   * metadata addresses (a receiver inside the cluster). Off, such addresses are refused.
   */
  @FlagSetting()
  WEBHOOK_ALLOW_PRIVATE: boolean = false;

  /** Deadline of one webhook delivery, connection to answer. */
  @DurationSetting('10 or 10s', 100)
  WEBHOOK_TIMEOUT: number = 10_000;

  /** First retry delay of a failed webhook delivery (then doubled, jittered, up to 5 min). */
  @DurationSetting('1s', 10)
  WEBHOOK_RETRY_BASE: number = 1000;

  /** Age after which an event still failing to reach an endpoint becomes a dead letter. */
  @DurationSetting('72h', 1000)
  WEBHOOK_DEAD_LETTER_AFTER: number = 72 * 3_600_000;

  /** How long the previous secret keeps signing after a rotation. */
  @DurationSetting('24h', 0)
  WEBHOOK_SECRET_GRACE: number = 24 * 3_600_000;

  /** An endpoint failing with no success for this long is disabled. */
  @DurationSetting('5d', 1000)
  WEBHOOK_DISABLE_AFTER: number = 5 * 86_400_000;

  /** How long events and the delivery log are kept (redelivery needs the event). */
  @DurationSetting('7d', 60_000)
  WEBHOOK_RETENTION: number = 7 * 86_400_000;

  /**
   * Longest time a replica may go on using its cached list of subscribed endpoints when a
   * change notification was lost (changes reach other replicas by NOTIFY within milliseconds).
   */
  @DurationSetting('5s', 100)
  WEBHOOK_SUBSCRIPTION_REFRESH: number = 5000;
}
