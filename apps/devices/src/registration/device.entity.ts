import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A device as Devices knows it (migration 1763800000000). Registration upserts it in SQL, which
 * also stamps the export cursor column `tx` (xid8, a type TypeORM does not map; see
 * libs/platform/src/database/README.md); reads go through this entity.
 */
@Entity({ name: 'devices' })
// The export feed's index on (tx, deviceid), read by export.sql.ts.
@Index('devices_export_idx', { synchronize: false })
export class DeviceEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'devices_pkey' })
  deviceid: string;

  @Column({ type: 'text', nullable: true })
  device_name: string | null;

  @Column({ type: 'text', nullable: true })
  device_type: string | null;

  @Column({ type: 'text', nullable: true })
  os: string | null;

  @Column({ type: 'text', nullable: true })
  device_location: string | null;

  @Column({ type: 'text', nullable: true })
  ip_address: string | null;

  @Column({ type: 'text', nullable: true })
  mac_address: string | null;

  @Column({ type: 'text', nullable: true })
  current_user: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  registered_at: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updated_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  last_seen_at: Date | null;
}
