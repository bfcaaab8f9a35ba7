// Devices' screenshot SQL, in one place.

export const SCREENSHOT_COLUMNS = `id, deviceid, ts AS timestamp, received_at, content_type, width, height, size_bytes, sha256`;

/** A retried upload (same id) changes nothing. */
export const INSERT_SCREENSHOT = `
  INSERT INTO screenshots (id, deviceid, ts, content_type, width, height, size_bytes, sha256)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (id) DO NOTHING
  RETURNING ${SCREENSHOT_COLUMNS}`;
