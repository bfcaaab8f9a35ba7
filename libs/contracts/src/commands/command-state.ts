/** Life of a remote command: pending -> delivered -> running -> completed | failed, or expired. */
export const COMMAND_STATES = [
  'pending',
  'delivered',
  'running',
  'completed',
  'failed',
  'expired',
] as const;
export type CommandState = (typeof COMMAND_STATES)[number];

/** What a device may report. */
export const REPORTED_COMMAND_STATES = ['running', 'completed', 'failed'] as const;
export type ReportedCommandState = (typeof REPORTED_COMMAND_STATES)[number];

export const FINAL_COMMAND_STATES: readonly CommandState[] = ['completed', 'failed', 'expired'];

/** Order of the states; a later state never goes back to an earlier one. */
export const COMMAND_STATE_RANK: Record<CommandState, number> = {
  pending: 0,
  delivered: 1,
  running: 2,
  completed: 3,
  failed: 3,
  expired: 3,
};

export function isFinalCommandState(state: CommandState): boolean {
  return FINAL_COMMAND_STATES.includes(state);
}

export type TransitionVerdict = { ok: true; changed: boolean } | { ok: false; reason: string };

/**
 * Whether a device's report moves a command on (the Devices service's rule). A device reports
 * only after polling, so a command must be delivered first; `running` may be repeated (a
 * retried report); nothing follows a final state, and nothing goes backwards.
 */
export function checkReport(current: CommandState, next: ReportedCommandState): TransitionVerdict {
  if (isFinalCommandState(current)) {
    return { ok: false, reason: `command is already ${current}` };
  }
  if (current === 'pending') {
    return { ok: false, reason: 'command has not been delivered to the device yet' };
  }
  if (current === 'running' && next === 'running') return { ok: true, changed: false };
  if (COMMAND_STATE_RANK[next] <= COMMAND_STATE_RANK[current]) {
    return { ok: false, reason: `cannot go from ${current} to ${next}` };
  }
  return { ok: true, changed: true };
}

/**
 * Whether a forwarded state replaces the one the mentor holds (the mentor's rule: arrival
 * order does not matter, the furthest state wins). One exception: an expiry the mentor decided
 * alone (the command never reached a device in time, as far as it knew) gives way to a
 * devices-side state that happened before the deadline.
 */
export function supersedes(
  current: CommandState,
  next: CommandState,
  options: { expiredByMentor?: boolean; nextAt?: Date; expiresAt?: Date } = {},
): boolean {
  if (COMMAND_STATE_RANK[next] > COMMAND_STATE_RANK[current]) return true;
  return (
    current === 'expired' &&
    options.expiredByMentor === true &&
    next !== 'expired' &&
    options.nextAt !== undefined &&
    options.expiresAt !== undefined &&
    options.nextAt.getTime() <= options.expiresAt.getTime()
  );
}
