import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { haveWrk, wrk } from './wrk';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FIELDS = [
  'id',
  'cpu_usage',
  'cpu_temp',
  'memory_total',
  'memory_used',
  'swap_used',
  'disk_total',
  'disk_used',
  'net_bytes_in',
  'net_bytes_out',
];

interface Seen {
  path: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** A server that records every request and refuses every fifth with 400. */
function recorder(): { server: Server; seen: Seen[] } {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        path: req.url ?? '',
        auth: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      res.writeHead(seen.length % 5 === 0 ? 400 : 201, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return { server, seen };
}

const targets = [
  { path: '/api/v1/devices/dev-a/metrics', headers: { Authorization: 'Bearer token-a' } },
  { path: '/api/v1/devices/dev-b/metrics', headers: { Authorization: 'Bearer token-b' } },
];

// Skipped (and counted as skipped) where wrk is not installed; CI installs it.
const describeWithWrk = haveWrk() ? describe : describe.skip;

describeWithWrk('the wrk load generator', () => {
  let rec: ReturnType<typeof recorder>;
  let url = '';
  beforeAll(async () => {
    rec = recorder();
    await new Promise<void>((resolve) => rec.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(rec.server.address() as AddressInfo).port}`;
  });
  afterAll(() => rec.server.close());

  it('sends fresh metric samples with new ids to each target in turn, with its own token, and counts only 2xx answers', async () => {
    rec.seen.length = 0;
    const load = await wrk({ url, connections: 4, durationS: 1, targets, records: 3 });
    const seen = rec.seen.slice();
    assert.ok(seen.length > 50, `only ${seen.length} requests in a second`);
    // The requests wrk saw answered are those the server answered, bar the few in flight at
    // the end; every fifth was refused.
    const answered = load.requests + load.failures;
    assert.ok(
      answered <= seen.length && seen.length <= answered + 4,
      `${answered} vs ${seen.length}`,
    );
    assert.ok(Math.abs(load.failures - Math.floor(answered / 5)) <= 4, `${load.failures} failures`);
    assert.ok(load.p50Ms > 0 && load.p99Ms >= load.p50Ms);
    assert.ok((load.generatorCpuPercent ?? 0) > 0);

    const ids = new Set<string>();
    for (const request of seen) {
      const target = targets.find((t) => t.path === request.path);
      assert.ok(target, `unexpected path ${request.path}`);
      assert.equal(request.auth, target.headers.Authorization);
      assert.equal(request.contentType, 'application/json');
      assert.ok(Array.isArray(request.body));
      assert.equal(request.body.length, 3);
      for (const sample of request.body as Record<string, unknown>[]) {
        assert.deepEqual(Object.keys(sample), FIELDS);
        assert.match(sample.id as string, UUID_V4);
        ids.add(sample.id as string);
        assert.ok(typeof sample.cpu_usage === 'number' && sample.cpu_usage <= 100);
        assert.ok(Number.isSafeInteger(sample.memory_used));
      }
    }
    assert.equal(ids.size, seen.length * 3, 'every sample has an id of its own');
    const perTarget = targets.map((t) => seen.filter((s) => s.path === t.path).length);
    assert.ok(
      Math.abs(perTarget[0] - perTarget[1]) <= 4,
      `targets unevenly used: ${perTarget.join(', ')}`,
    );
  });

  it('sends one object rather than an array for single records', async () => {
    rec.seen.length = 0;
    await wrk({ url, connections: 1, durationS: 1, targets: targets.slice(0, 1), records: 1 });
    assert.ok(rec.seen.length > 0);
    for (const request of rec.seen) {
      assert.ok(!Array.isArray(request.body));
      assert.deepEqual(Object.keys(request.body as object), FIELDS);
    }
  });
});
