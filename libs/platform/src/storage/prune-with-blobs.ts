import type { Pool } from 'pg';
import { blobKey, type BlobStore } from './blob-store';

/**
 * Retention for rows that own images: `pruneSql` ($1 = cutoff) deletes one slice of old rows
 * (at most `slice`) and returns `deleted` and the `unused` hashes no row refers to any more,
 * whose images are then removed. A crash between the two leaves an orphan image, never a row
 * without its image. Returns the number of rows removed.
 */
export async function pruneWithBlobs(
  pool: Pool,
  store: BlobStore,
  pruneSql: string,
  cutoff: Date,
  slice = 500,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const { rows } = await pool.query<{ deleted: number; unused: string[] }>(pruneSql, [
      cutoff.toISOString(),
    ]);
    for (const sha256 of rows[0].unused) await store.delete(blobKey(sha256));
    removed += rows[0].deleted;
    if (rows[0].deleted < slice) return removed;
  }
}
