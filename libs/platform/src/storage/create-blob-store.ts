import { join } from 'node:path';
import type { BaseConfig } from '../config/base.config';
import type { BlobStore } from './blob-store';
import { LocalBlobStore } from './local-blob-store';
import { S3BlobStore } from './s3-blob-store';

/**
 * The store configured for a service: files under STORAGE_DIR (default
 * DATA_DIR/<service>/blobs) or an S3-compatible bucket, keys prefixed with S3_PREFIX (default
 * `<service>/`) so both services may share one bucket without sharing objects.
 */
export function createBlobStore(config: BaseConfig, service: 'devices' | 'mentor'): BlobStore {
  if (config.STORAGE_DRIVER === 's3') {
    return new S3BlobStore({
      bucket: config.S3_BUCKET!,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      prefix: config.S3_PREFIX ?? `${service}/`,
    });
  }
  return new LocalBlobStore(config.STORAGE_DIR ?? join(config.DATA_DIR, service, 'blobs'));
}
