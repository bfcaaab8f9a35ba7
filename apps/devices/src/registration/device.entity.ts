import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'devices' })
export class DeviceEntity {
  @PrimaryColumn({ type: 'text' })
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

  @Column({ type: 'timestamptz' })
  registered_at: Date;

  @Column({ type: 'timestamptz' })
  updated_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  last_seen_at: Date | null;
}
