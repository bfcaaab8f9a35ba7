import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type AlertState = 'open' | 'acknowledged' | 'resolved';

/**
 * A forwarded alert and its workflow state (migrations 1763800000000, 1763950000000). The table
 * is partitioned by day on `ts` (1764300000000), hence the key `(id, ts)`; ingest and the
 * dashboard's lists keep their SQL, the acknowledge/resolve workflow goes through this entity.
 */
@Entity({ name: 'alerts' })
@Check('alerts_state_check', `state IN ('open', 'acknowledged', 'resolved')`)
// Descending indexes the migrations made, beyond what @Index expresses.
@Index('alerts_device_ts_idx', { synchronize: false })
@Index('alerts_ts_idx', { synchronize: false })
export class AlertEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'alerts_pkey' })
  id: string;

  @Column({ type: 'text' })
  deviceid: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'alerts_pkey' })
  ts: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  received_at: Date;

  @Column({ type: 'text' })
  level: string;

  @Column({ type: 'text' })
  alert_type: string;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ type: 'double precision', nullable: true })
  value: number | null;

  @Column({ type: 'double precision', nullable: true })
  threshold: number | null;

  @Column({ type: 'text', default: 'open' })
  state: AlertState;

  @Column({ type: 'text', nullable: true })
  acknowledged_by: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  acknowledged_at: Date | null;

  @Column({ type: 'text', nullable: true })
  resolved_by: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolved_at: Date | null;
}
