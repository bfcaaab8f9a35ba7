// The mentor's screenshot SQL, in one place.

export const SCREENSHOT_COLUMNS = `id, deviceid, ts AS timestamp, received_at, content_type, width, height, size_bytes, sha256`;

export const INSERT_SCREENSHOTS = `
  INSERT INTO screenshots (id, deviceid, ts, content_type, width, height, size_bytes, sha256)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::int[], $6::int[], $7::int[], $8::text[])
  ON CONFLICT (id) DO NOTHING
  RETURNING ${SCREENSHOT_COLUMNS}`;

export const SCREENSHOT_BY_ID = `SELECT ${SCREENSHOT_COLUMNS} FROM screenshots WHERE id = $1 AND deviceid = $2`;
