import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { DeviceEntity } from '../registration/device.entity';

/** A device's one current token, stored only as its SHA-256 (migration 1764000000000). */
@Entity({ name: 'device_tokens' })
@Unique('device_tokens_token_hash_key', ['token_hash'])
export class DeviceTokenEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'device_tokens_pkey' })
  deviceid: string;

  @ManyToOne(() => DeviceEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'deviceid', foreignKeyConstraintName: 'device_tokens_deviceid_fkey' })
  device?: DeviceEntity;

  @Column({ type: 'bytea' })
  token_hash: Buffer;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  issued_at: Date;
}
