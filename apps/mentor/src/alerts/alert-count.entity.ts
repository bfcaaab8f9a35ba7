import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Unresolved alerts per device and level (migration 1763950000000), kept by the transactions
 * that store, resolve or remove alerts, so the device list never counts alerts.
 */
@Entity({ name: 'alert_counts' })
export class AlertCountEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'alert_counts_pkey' })
  deviceid: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'alert_counts_pkey' })
  level: string;

  @Column({ type: 'integer', default: 0 })
  unresolved: number;
}
