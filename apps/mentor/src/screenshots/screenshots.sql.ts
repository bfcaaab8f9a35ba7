// The mentor's screenshot SQL, in one place.

export const SCREENSHOT_COLUMNS = `id, deviceid, ts AS timestamp, received_at, content_type, width, height, size_bytes, sha256`;

export const INSERT_SCREENSHOTS = `
  INSERT INTO screenshots (id, deviceid, ts, content_type, width, height, size_bytes, sha256)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::int[], $6::int[], $7::int[], $8::text[])
  ON CONFLICT (id) DO NOTHING
  RETURNING ${SCREENSHOT_COLUMNS}`;

export const SCREENSHOT_BY_ID = `SELECT ${SCREENSHOT_COLUMNS} FROM screenshots WHERE id = $1 AND deviceid = $2`;

/**
 * Retention: deletes a slice of rows older than the cutoff ($1); returns how many, and the
 * hashes no remaining row uses (their images can go). Small slices keep locks short.
 */
export const PRUNE_SCREENSHOTS = `
  WITH gone AS (
    DELETE FROM screenshots WHERE id IN (
      SELECT id FROM screenshots WHERE ts < $1 ORDER BY ts LIMIT 500 FOR UPDATE SKIP LOCKED)
    RETURNING id, sha256)
  SELECT (SELECT count(*) FROM gone)::int AS deleted,
         ARRAY(SELECT DISTINCT g.sha256 FROM gone g
               WHERE NOT EXISTS (
                 -- the statement still sees the rows it deletes, so they are excluded by id
                 SELECT 1 FROM screenshots s
                 WHERE s.sha256 = g.sha256 AND s.id NOT IN (SELECT id FROM gone))) AS unused`;
