import type { S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from './blob-store';

type S3Sdk = typeof import('@aws-sdk/client-s3');

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  prefix: string;
}

/**
 * S3-compatible object storage (AWS S3, MinIO...). Credentials fall back to the AWS chain. The
 * SDK is loaded on first use, so a service on the default local driver never loads it (it was
 * loaded at start by every import of the platform library; a few MB of resident memory).
 */
export class S3BlobStore implements BlobStore {
  private connection?: Promise<{ sdk: S3Sdk; client: S3Client }>;

  constructor(private readonly options: S3BlobStoreOptions) {}

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    if (await this.has(key)) return;
    const { sdk, client } = await this.connect();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.keyOf(key),
        Body: bytes,
        ContentType: contentType,
      }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    const { sdk, client } = await this.connect();
    try {
      const answer = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }),
      );
      if (!answer.Body) return undefined;
      return Buffer.from(await answer.Body.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const { sdk, client } = await this.connect();
    await client.send(
      new sdk.DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }),
    );
  }

  private async has(key: string): Promise<boolean> {
    const { sdk, client } = await this.connect();
    try {
      await client.send(
        new sdk.HeadObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }),
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private connect(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    const { options } = this;
    this.connection ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        credentials:
          options.accessKeyId && options.secretAccessKey
            ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
            : undefined,
      }),
    }));
    return this.connection;
  }

  private keyOf(key: string): string {
    return `${this.options.prefix}${key}`;
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
