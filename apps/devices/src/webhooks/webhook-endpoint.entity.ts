import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A registered webhook endpoint (migration 1764750000000). */
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'webhook_endpoints_pkey' })
  id: string;

  @Column({ type: 'text' })
  url: string;

  /** Event types, or `*` for every one. */
  @Column({ type: 'text', array: true })
  events: string[];

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'text', nullable: true })
  disabled_reason: string | null;

  /** `whsec_<base64>`; shown once, at creation or rotation. */
  @Column({ type: 'text', select: false })
  secret: string;

  /** The secret before the last rotation, signing too until previous_secret_expires_at. */
  @Column({ type: 'text', nullable: true, select: false })
  previous_secret: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previous_secret_expires_at: Date | null;

  /** First failure since the last success (null while deliveries succeed). */
  @Column({ type: 'timestamptz', nullable: true })
  failing_since: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  last_success_at: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created_at: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updated_at: Date;
}
