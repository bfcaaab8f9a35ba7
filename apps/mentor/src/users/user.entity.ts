import type { UserRole } from '@app/contracts';
import { Check, Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** A Mentor user (migration 1764000000000): bcrypt hash, role admin or viewer. */
@Entity({ name: 'users' })
@Unique('users_username_key', ['username'])
@Check('users_username_check', `username = lower(username)`)
@Check('users_role_check', `role IN ('admin', 'viewer')`)
export class UserEntity {
  @PrimaryGeneratedColumn('uuid', {
    primaryKeyConstraintName: 'users_pkey',
  })
  id: string;

  /** Stored lower-case; compared case-insensitively by lower-casing the input. */
  @Column({ type: 'text' })
  username: string;

  @Column({ type: 'text' })
  password_hash: string;

  @Column({ type: 'text' })
  role: UserRole;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created_at: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updated_at: Date;
}
