import type { CommandState } from '@app/contracts';

export interface CommandRow {
  commandid: string;
  deviceid: string;
  command_text: string;
  issued_by: string;
  status: CommandState;
  result: string | null;
  exit_code: number | null;
  created_at: Date;
  expires_at: Date;
  delivered_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

/** The forwarded record of one state change: keyed by commandid, applied by state order. */
export function statusMessage(
  row: CommandRow,
  requestId: string | null,
): { recordId: string; requestId: string | null; payload: Record<string, unknown> } {
  const payload: Record<string, unknown> = {
    id: row.commandid,
    deviceid: row.deviceid,
    timestamp: row.updated_at.toISOString(),
    status: row.status,
  };
  if (row.result !== null) payload.result = row.result;
  if (row.exit_code !== null) payload.exit_code = row.exit_code;
  return { recordId: `${row.commandid}:${row.status}`, requestId, payload };
}

/** The `command.completed` webhook event's data: the command as it finished. */
export function commandEvent(row: CommandRow): Record<string, unknown> {
  return {
    commandid: row.commandid,
    deviceid: row.deviceid,
    command_text: row.command_text,
    status: row.status,
    exit_code: row.exit_code,
    result: row.result,
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
  };
}
