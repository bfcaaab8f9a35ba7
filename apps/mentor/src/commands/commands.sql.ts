// The mentor's command SQL, in one place.

export const COMMAND_COLUMNS = `commandid, deviceid, command_text, issued_by, status, result, exit_code,
  created_at, expires_at, status_at, delivered_at, started_at, finished_at, updated_at`;

export const INSERT_COMMAND = `
  INSERT INTO commands (commandid, deviceid, command_text, issued_by, created_at, expires_at, status_at)
  VALUES ($1, $2, $3, $4, $5, $6, $5)
  RETURNING ${COMMAND_COLUMNS}`;

export const LOCK_COMMAND = `SELECT ${COMMAND_COLUMNS}, expired_by_mentor FROM commands WHERE commandid = $1 FOR UPDATE`;

/** $1 commandid, $2 status, $3 status time, $4 result, $5 exit_code. */
export const APPLY_STATUS = `
  UPDATE commands SET status = $2, status_at = $3,
    expired_by_mentor = false,
    result = COALESCE($4, result),
    exit_code = COALESCE($5, exit_code),
    delivered_at = CASE WHEN $2 = 'delivered' THEN $3 ELSE delivered_at END,
    started_at = CASE WHEN $2 = 'running' THEN $3 ELSE started_at END,
    finished_at = CASE WHEN $2 IN ('completed', 'failed') THEN $3 ELSE finished_at END,
    updated_at = now()
  WHERE commandid = $1
  RETURNING ${COMMAND_COLUMNS}`;

/** Commands that never left `pending` (as far as the mentor knows) before their deadline. */
export const EXPIRE_PENDING = `
  UPDATE commands SET status = 'expired', status_at = now(), expired_by_mentor = true, updated_at = now()
  WHERE commandid IN (
    SELECT commandid FROM commands WHERE status = 'pending' AND expires_at <= now()
    ORDER BY expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
  RETURNING ${COMMAND_COLUMNS}`;
