import { COMMAND_STATES, type CommandState } from '@app/contracts';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A remote command as the Mentor holds it (migration 1764100000000). */
@Entity({ name: 'commands' })
@Check(
  'commands_status_check',
  `status IN (${COMMAND_STATES.map((state) => `'${state}'`).join(', ')})`,
)
// Descending and partial indexes the migration made, beyond what @Index expresses.
@Index('commands_device_created_idx', { synchronize: false })
@Index('commands_pending_expiry_idx', { synchronize: false })
export class CommandEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'commands_pkey' })
  commandid: string;

  @Column({ type: 'text' })
  deviceid: string;

  @Column({ type: 'text' })
  command_text: string;

  @Column({ type: 'text' })
  issued_by: string;

  @Column({ type: 'text', default: 'pending' })
  status: CommandState;

  @Column({ type: 'text', nullable: true })
  result: string | null;

  @Column({ type: 'integer', nullable: true })
  exit_code: number | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  created_at: Date;

  @Column({ type: 'timestamptz' })
  expires_at: Date;

  /** When the current status was reached (Devices' time for forwarded states). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  status_at: Date;

  /** Expired here while still pending: a later state from Devices may still win. */
  @Column({ type: 'boolean', default: false, select: false })
  expired_by_mentor: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  delivered_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  started_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finished_at: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updated_at: Date;
}
