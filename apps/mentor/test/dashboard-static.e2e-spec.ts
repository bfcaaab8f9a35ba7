import { bearer, login } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import {
  ServiceProcess,
  TEST_ADMIN_PASSWORD,
  TEST_JWT_SECRET,
  TEST_SERVICE_TOKEN,
} from '@app/testing/services';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BROWSER =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const ASSET = 'index-3f9a2c1b.js';
const ASSET_BODY = 'console.log("dashboard");\n';
const page = (version: string): string =>
  `<!doctype html><html><head><script type="module" src="/assets/${ASSET}"></script></head>` +
  `<body><div id="root" data-version="${version}"></div></body></html>`;

/** A Mentor on its own database, serving the dashboard from `dashboardDir`. */
async function startMentor(
  prefix: string,
  dashboardDir: string,
): Promise<{ mentor: ServiceProcess; dbName: string }> {
  const db = await createTestDatabase(prefix);
  const mentor = await ServiceProcess.start('mentor', {
    DATABASE_URL: db.url,
    MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
    JWT_SECRET: TEST_JWT_SECRET,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    PASSWORD_HASH_ROUNDS: '10',
    DASHBOARD_DIR: dashboardDir,
  });
  return { mentor, dbName: db.name };
}

const fetchAs = (url: string, accept: string | undefined, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { ...(accept ? { accept } : {}), ...init.headers } });

describe('The dashboard served by the Mentor', () => {
  let dir: string;
  let mentor: ServiceProcess;
  let dbName: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'raqeem-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), page('one'));
    writeFileSync(join(dir, 'assets', ASSET), ASSET_BODY);
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    ({ mentor, dbName } = await startMentor('dashboard_static', dir));
  });

  afterAll(async () => {
    await mentor?.stop();
    if (dbName) await dropTestDatabase(dbName);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page at / revalidated on each load, under a policy that lets it run', async () => {
    const response = await fetchAs(`${mentor.url}/`, undefined);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), page('one'));
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.match(response.headers.get('vary') ?? '', /accept/i);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    }
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  });

  it('answers a reload with 304 until the page is rebuilt, then with the new page', async () => {
    const first = await fetchAs(`${mentor.url}/index.html`, BROWSER);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    const again = await fetchAs(`${mentor.url}/`, BROWSER, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    writeFileSync(join(dir, 'index.html'), page('two'));
    try {
      const rebuilt = await fetchAs(`${mentor.url}/`, BROWSER, {
        headers: { 'if-none-match': etag },
      });
      assert.equal(rebuilt.status, 200);
      assert.equal(await rebuilt.text(), page('two'));
    } finally {
      writeFileSync(join(dir, 'index.html'), page('one'));
    }
  });

  it('serves hashed assets with a year-long immutable cache, other files revalidated', async () => {
    const asset = await fetchAs(`${mentor.url}/assets/${ASSET}`, '*/*');
    assert.equal(asset.status, 200);
    assert.equal(await asset.text(), ASSET_BODY);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const icon = await fetchAs(`${mentor.url}/favicon.svg`, BROWSER.replace('text/html,', ''));
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('cache-control'), 'no-cache');
    const missing = await request<{ statusCode: number }>(
      'GET',
      `${mentor.url}/assets/index-gone.js`,
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.statusCode, 404);
  });

  it('answers a browser navigation to any view with the page, HEAD included', async () => {
    for (const path of ['/devices/laptop-7?range=24h', '/devices', '/forwarding', '/users']) {
      const response = await fetchAs(`${mentor.url}${path}`, BROWSER);
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), page('one'), path);
      assert.match(response.headers.get('vary') ?? '', /accept/i, path);
    }
    const head = await fetchAs(`${mentor.url}/devices/laptop-7`, BROWSER, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(page('one'))));
    assert.equal(await head.text(), '');
  });

  it('keeps the API on the same paths for curl, fetch and JSON clients', async () => {
    for (const accept of [undefined, '*/*', 'application/json']) {
      const anonymous = await request<{ statusCode: number }>('GET', `${mentor.url}/devices`, {
        headers: accept ? { accept } : {},
      });
      assert.equal(anonymous.status, 401, String(accept));
      assert.equal(anonymous.body.statusCode, 401);
    }
    const admin = await login(mentor.url, 'admin', TEST_ADMIN_PASSWORD);
    const list = await request<unknown[]>('GET', `${mentor.url}/devices`, {
      headers: { ...bearer(admin.access_token), accept: 'application/json' },
    });
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.body));
    assert.match(list.headers.get('vary') ?? '', /accept/i);
    const unknown = await request<{ statusCode: number }>('GET', `${mentor.url}/no-such-route`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.statusCode, 404);
    const post = await request('POST', `${mentor.url}/devices/laptop-7`, {
      headers: { accept: BROWSER },
      body: {},
    });
    assert.notEqual(post.headers.get('content-type'), 'text/html; charset=utf-8');
  });

  it('never answers the docs, health, metrics or events paths with the page', async () => {
    const health = await fetchAs(`${mentor.url}/health/ready`, BROWSER);
    assert.match(health.headers.get('content-type') ?? '', /json/);
    const metrics = await fetchAs(`${mentor.url}/metrics`, BROWSER);
    assert.match(await metrics.text(), /^# HELP/m);
    const docs = await fetchAs(`${mentor.url}/docs`, BROWSER);
    assert.match(await docs.text(), /swagger/i);
    const events = await fetchAs(`${mentor.url}/events`, BROWSER);
    assert.equal(events.status, 401);
  });
});

describe('A Mentor without a built dashboard', () => {
  let mentor: ServiceProcess;
  let dbName: string;

  beforeAll(async () => {
    ({ mentor, dbName } = await startMentor(
      'dashboard_missing',
      join(tmpdir(), 'raqeem-no-dashboard-here'),
    ));
  });

  afterAll(async () => {
    await mentor?.stop();
    if (dbName) await dropTestDatabase(dbName);
  });

  it('starts, says the dashboard is not built at /, and serves the API as ever', async () => {
    const root = await request<{ statusCode: number; message: string }>('GET', `${mentor.url}/`, {
      headers: { accept: BROWSER },
    });
    assert.equal(root.status, 503);
    assert.equal(root.body.statusCode, 503);
    assert.match(root.body.message, /dashboard is not built/);
    const api = await request('GET', `${mentor.url}/devices`);
    assert.equal(api.status, 401);
    const ready = await request('GET', `${mentor.url}/health/ready`);
    assert.equal(ready.status, 200);
    assert.match(mentor.logs, /dashboard is not built/);
  });
});
