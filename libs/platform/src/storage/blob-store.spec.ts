import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BaseConfig } from '../config/base.config';
import { blobKey, type BlobStore } from './blob-store';
import { createBlobStore } from './create-blob-store';
import { LocalBlobStore } from './local-blob-store';
import { S3BlobStore } from './s3-blob-store';

const HASH = 'ab'.repeat(32);

/**
 * A tiny stand-in for an S3-compatible server (path-style PUT/GET/HEAD/DELETE of objects), so
 * the driver's requests can be checked without a MinIO: it records what it was sent.
 */
function fakeS3(): {
  server: Server;
  objects: Map<string, { body: Buffer; type?: string }>;
  puts: string[];
} {
  const objects = new Map<string, { body: Buffer; type?: string }>();
  const puts: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const object = objects.get(path);
      if (req.method === 'PUT') {
        puts.push(path);
        objects.set(path, { body: Buffer.concat(chunks), type: req.headers['content-type'] });
        res.writeHead(200, { etag: '"x"' }).end();
      } else if (req.method === 'DELETE') {
        objects.delete(path);
        res.writeHead(204).end();
      } else if (!object) {
        res
          .writeHead(404, { 'content-type': 'application/xml' })
          .end(req.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code></Error>');
      } else {
        res.writeHead(200, {
          'content-type': object.type ?? 'application/octet-stream',
          'content-length': String(object.body.length),
        });
        res.end(req.method === 'HEAD' ? undefined : object.body);
      }
    });
  });
  return { server, objects, puts };
}

async function behavesAsAStore(store: BlobStore): Promise<void> {
  const key = blobKey(HASH);
  assert.equal(await store.get(key), undefined);
  await store.put(key, Buffer.from('first'), 'image/png');
  await store.put(key, Buffer.from('first'), 'image/png');
  assert.deepEqual(await store.get(key), Buffer.from('first'));
  await store.delete(key);
  assert.equal(await store.get(key), undefined);
  await store.delete(key);
}

describe('LocalBlobStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'raqeem-blobs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stores, reads and deletes by content address, writing each image once', async () => {
    await behavesAsAStore(new LocalBlobStore(root));
  });

  it('never names a file outside its folder', () => {
    assert.throws(() => new LocalBlobStore(root).pathOf('../escape'), RangeError);
    assert.throws(() => blobKey('../../etc/passwd'), RangeError);
  });

  it('leaves no temporary files behind', async () => {
    const store = new LocalBlobStore(root);
    await store.put(blobKey('cd'.repeat(32)), Buffer.from('x'), 'image/png');
    const files = readdirSync(root, { recursive: true }).map(String);
    assert.ok(!files.some((f) => f.endsWith('.tmp')), files.join());
  });
});

describe('S3BlobStore', () => {
  const fake = fakeS3();
  let endpoint: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  });
  afterAll(() => fake.server.close());

  it('keeps objects under bucket/prefix with path-style URLs and skips a second upload', async () => {
    const store = new S3BlobStore({
      bucket: 'shots',
      region: 'us-east-1',
      endpoint,
      accessKeyId: 'test',
      secretAccessKey: 'test-secret',
      forcePathStyle: true,
      prefix: 'mentor/',
    });
    await store.put(blobKey(HASH), Buffer.from('image bytes'), 'image/webp');
    const path = `/shots/mentor/sha256/ab/${HASH}`;
    assert.deepEqual([...fake.objects.keys()], [path]);
    assert.equal(fake.objects.get(path)!.type, 'image/webp');
    await store.delete(blobKey(HASH));
    await behavesAsAStore(store);
    // One upload above, one in behavesAsAStore: its second put of the same key sent nothing.
    assert.equal(fake.puts.filter((p) => p === path).length, 2);
  });

  it('is what createBlobStore builds when STORAGE_DRIVER is s3, under the service prefix', async () => {
    const config = {
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'shots',
      S3_REGION: 'us-east-1',
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY_ID: 'test',
      S3_SECRET_ACCESS_KEY: 'test-secret',
      S3_FORCE_PATH_STYLE: true,
      DATA_DIR: tmpdir(),
    } as unknown as BaseConfig;
    const store = createBlobStore(config, 'devices');
    assert.ok(store instanceof S3BlobStore);
    await store.put(blobKey(HASH), Buffer.from('from config'), 'image/png');
    assert.ok(fake.objects.has(`/shots/devices/sha256/ab/${HASH}`));
  });
});
