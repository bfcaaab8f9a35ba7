import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { gzippedScripts, median, requestsServed } from './browser';

describe('The dashboard-ui scenario’s readings', () => {
  it('takes the median of odd and even counts', () => {
    assert.equal(median([900, 100, 300]), 300);
    assert.equal(median([400, 100, 300, 200]), 250);
  });

  it('sizes each script as gzip sends it, and only the scripts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raqeem-assets-'));
    try {
      const script = 'export const x = 1;\n'.repeat(200);
      writeFileSync(join(dir, 'index-1a2b.js'), script);
      writeFileSync(join(dir, 'index-1a2b.css'), 'body{}');
      const [only, ...rest] = gzippedScripts(dir);
      assert.deepEqual(rest, []);
      assert.equal(only.file, 'index-1a2b.js');
      assert.equal(only.bytes, script.length);
      assert.equal(only.gzip, gzipSync(script).length);
      assert.ok(only.gzip < only.bytes);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts the requests a service answered, leaving out the scrapes of /metrics', async () => {
    const server = createServer((_req, res) =>
      res.end(
        [
          '# TYPE http_requests_total counter',
          'http_requests_total{method="GET",route="/devices",status_code="200"} 7',
          'http_requests_total{method="POST",route="/events/ticket",status_code="201"} 2',
          'http_requests_total{method="GET",route="/metrics",status_code="200"} 40',
          'http_request_duration_seconds_count{method="GET",route="/devices"} 7',
        ].join('\n'),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      assert.equal(await requestsServed(`http://127.0.0.1:${port}`), 9);
    } finally {
      server.close();
    }
  });
});
