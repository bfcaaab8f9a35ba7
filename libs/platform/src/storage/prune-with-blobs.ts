import type { SqlClient } from '../database/partition-layout';
import { blobKey, type BlobStore } from './blob-store';

/**
 * Deletes one slice of rows older than $1 (at most $2) and returns how many, and the hashes no
 * remaining row uses (their images can go). The statement still sees the rows it deletes, so
 * they are excluded by id. Small slices keep locks short.
 */
function pruneSql(table: string): string {
  return `
  WITH gone AS (
    DELETE FROM ${table} WHERE id IN (
      SELECT id FROM ${table} WHERE ts < $1 ORDER BY ts LIMIT $2 FOR UPDATE SKIP LOCKED)
    RETURNING id, sha256)
  SELECT (SELECT count(*) FROM gone)::int AS deleted,
         ARRAY(SELECT DISTINCT g.sha256 FROM gone g
               WHERE NOT EXISTS (
                 SELECT 1 FROM ${table} s
                 WHERE s.sha256 = g.sha256 AND s.id NOT IN (SELECT id FROM gone))) AS unused`;
}

/**
 * Retention for a table whose rows (`id`, `ts`, `sha256`) own images in a blob store: old rows
 * go in slices, then the images nothing refers to any more. A crash between the two leaves an
 * orphan image, never a row without its image. Returns the number of rows removed.
 */
export async function pruneWithBlobs(
  pool: SqlClient,
  store: BlobStore,
  table: string,
  cutoff: Date,
  slice = 500,
): Promise<number> {
  const sql = pruneSql(table);
  let removed = 0;
  for (;;) {
    const { rows } = await pool.query<{ deleted: number; unused: string[] }>(sql, [
      cutoff.toISOString(),
      slice,
    ]);
    for (const sha256 of rows[0].unused) await store.delete(blobKey(sha256));
    removed += rows[0].deleted;
    if (rows[0].deleted < slice) return removed;
  }
}
