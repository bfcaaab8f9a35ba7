import { COMMAND_STATES, type CommandState } from '@app/contracts';
import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A remote command as handed over by the Mentor, keyed by the Mentor's commandid (migration
 * 1764100000000). The hand-off, the device's poll and the expiry sweep are batch claims in
 * commands.sql.ts; a device's report goes through this entity.
 */
@Entity({ name: 'commands' })
@Check(
  'commands_status_check',
  `status IN (${COMMAND_STATES.map((state) => `'${state}'`).join(', ')})`,
)
// Partial indexes the migration made for the poll and the sweep.
@Index('commands_pending_idx', { synchronize: false })
@Index('commands_open_expiry_idx', { synchronize: false })
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

  @Column({ type: 'timestamptz' })
  created_at: Date;

  @Column({ type: 'timestamptz' })
  expires_at: Date;

  /** Bookkeeping, not part of the command as devices and operators see it. */
  @Column({ type: 'timestamptz', default: () => 'now()', select: false })
  received_at: Date;

  @Column({ type: 'timestamptz', nullable: true })
  delivered_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  started_at: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finished_at: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updated_at: Date;
}
