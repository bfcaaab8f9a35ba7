// The mentor's command SQL, in one place.

export const COMMAND_COLUMNS = `commandid, deviceid, command_text, issued_by, status, result, exit_code,
  created_at, expires_at, status_at, delivered_at, started_at, finished_at, updated_at`;

/** Commands that never left `pending` (as far as the mentor knows) before their deadline. */
export const EXPIRE_PENDING = `
  UPDATE commands SET status = 'expired', status_at = now(), expired_by_mentor = true, updated_at = now()
  WHERE commandid IN (
    SELECT commandid FROM commands WHERE status = 'pending' AND expires_at <= now()
    ORDER BY expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
  RETURNING ${COMMAND_COLUMNS}`;
