// The pull path's bookkeeping, in one place.

export const SOURCE = 'devices';

export const READ_STATE = `SELECT * FROM sync_state WHERE source = $1`;

export const RECORD_ATTEMPT = `
  INSERT INTO sync_state (source, last_attempt_at) VALUES ($1, now())
  ON CONFLICT (source) DO UPDATE SET last_attempt_at = now()`;

/** $1 source, $2 cursor, $3 remote time, $4 records in the page. */
export const RECORD_PAGE = `
  UPDATE sync_state SET cursor = COALESCE($2, cursor), last_remote_time = $3,
    last_success_at = now(), records_pulled = records_pulled + $4
  WHERE source = $1`;

export const RECORD_ERROR = `
  UPDATE sync_state SET last_error_at = now(), last_error = $2 WHERE source = $1`;
