/**
 * Where screenshot bytes live. Keys are content addresses (`sha256/<hex>`), so writing the
 * same image twice stores it once. Two drivers: the local filesystem and S3-compatible storage.
 */
export interface BlobStore {
  /** Stores the bytes under the key unless they are already there. */
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes, or undefined when nothing is stored under the key. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removes the key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export const BLOB_STORE = Symbol('BLOB_STORE');

/** The content address of some bytes' SHA-256 (hex). */
export function blobKey(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RangeError('blobKey: not a SHA-256 hex digest');
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}
