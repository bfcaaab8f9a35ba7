import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { UserEntity } from '../users/user.entity';

/**
 * A refresh token, stored only as its SHA-256 (migration 1764000000000). Tokens of one sign-in
 * share `family_id`; rotation marks the old one used, reuse revokes the family.
 */
@Entity({ name: 'refresh_tokens' })
@Unique('refresh_tokens_token_hash_key', ['token_hash'])
@Index('refresh_tokens_user_idx', ['user_id'])
@Index('refresh_tokens_family_idx', ['family_id'])
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid', {
    primaryKeyConstraintName: 'refresh_tokens_pkey',
  })
  id: string;

  @Column({ type: 'uuid' })
  user_id: string;

  // Deleting a user deletes their sessions.
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'refresh_tokens_user_id_fkey' })
  user?: UserEntity;

  @Column({ type: 'uuid' })
  family_id: string;

  @Column({ type: 'bytea' })
  token_hash: Buffer;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created_at: Date;

  @Column({ type: 'timestamptz' })
  expires_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  used_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revoked_at: Date | null;
}
