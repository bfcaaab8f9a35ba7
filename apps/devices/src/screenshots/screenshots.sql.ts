// Devices' screenshot SQL, in one place.

export const SCREENSHOT_COLUMNS = `id, deviceid, ts AS timestamp, received_at, content_type, width, height, size_bytes, sha256`;

/** A retried upload (same id) changes nothing. */
export const INSERT_SCREENSHOT = `
  INSERT INTO screenshots (id, deviceid, ts, content_type, width, height, size_bytes, sha256)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (id) DO NOTHING
  RETURNING ${SCREENSHOT_COLUMNS}`;

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
