// Devices' command SQL, in one place.

export const COMMAND_COLUMNS = `commandid, deviceid, command_text, issued_by, status, result, exit_code,
  created_at, expires_at, delivered_at, started_at, finished_at, updated_at`;

/**
 * The mentor's hand-off; a redelivery (same commandid) changes nothing. A command that arrives
 * after its deadline (the hand-off waited out a long outage) is stored as expired at once.
 */
export const INSERT_COMMANDS = `
  INSERT INTO commands (commandid, deviceid, command_text, issued_by, created_at, expires_at, status)
  SELECT v.commandid, v.deviceid, v.command_text, v.issued_by, v.created_at, v.expires_at,
         CASE WHEN v.expires_at <= now() THEN 'expired' ELSE 'pending' END
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
    AS v(commandid, deviceid, command_text, issued_by, created_at, expires_at)
  ON CONFLICT (commandid) DO NOTHING
  RETURNING ${COMMAND_COLUMNS}`;

/** Marks a device's oldest pending commands delivered and returns them ($1 device, $2 limit). */
export const DELIVER_PENDING = `
  UPDATE commands c SET status = 'delivered', delivered_at = now(), updated_at = now()
  WHERE c.commandid IN (
    SELECT commandid FROM commands
    WHERE deviceid = $1 AND status = 'pending' AND expires_at > now()
    ORDER BY created_at, commandid
    LIMIT $2
    FOR UPDATE SKIP LOCKED)
  RETURNING ${COMMAND_COLUMNS}`;

/** Commands nobody picked up (or started) before their deadline. */
export const EXPIRE_DUE = `
  UPDATE commands SET status = 'expired', updated_at = now()
  WHERE commandid IN (
    SELECT commandid FROM commands
    WHERE status IN ('pending', 'delivered') AND expires_at <= now()
    ORDER BY expires_at
    LIMIT 1000
    FOR UPDATE SKIP LOCKED)
  RETURNING ${COMMAND_COLUMNS}`;
