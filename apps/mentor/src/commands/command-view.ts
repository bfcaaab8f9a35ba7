import type { CommandState } from '@app/contracts';

export interface CommandView {
  commandid: string;
  deviceid: string;
  command_text: string;
  issued_by: string;
  status: CommandState;
  result: string | null;
  exit_code: number | null;
  created_at: Date;
  expires_at: Date;
  status_at: Date;
  delivered_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

/** What a live event says about a command: its state, without the (possibly large) output. */
export function commandEventRecord(command: CommandView): Record<string, unknown> {
  const { result, ...rest } = command;
  return { ...rest, result_bytes: result === null ? null : Buffer.byteLength(result) };
}
