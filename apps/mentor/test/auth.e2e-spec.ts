import { bearer, forgeJwt, login, type TokenPair } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import {
  runUntilExit,
  ServiceProcess,
  TEST_ADMIN_PASSWORD,
  TEST_JWT_SECRET,
  TEST_SERVICE_TOKEN,
} from '@app/testing/services';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';

const env = (url: string): Record<string, string> => ({
  DATABASE_URL: url,
  MENTOR_API_TOKEN: TEST_SERVICE_TOKEN,
  JWT_SECRET: TEST_JWT_SECRET,
});

describe('Mentor users, sign-in and sessions', () => {
  let mentor: ServiceProcess;
  let db: Pool;
  let dbName: string;
  let admin: TokenPair;

  beforeAll(async () => {
    const created = await createTestDatabase('mentor_auth');
    dbName = created.name;
    // Default bcrypt cost (12), so the measured sign-in latency is the production one.
    mentor = await ServiceProcess.start('mentor', {
      ...env(created.url),
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    });
    db = new Pool({ connectionString: created.url, max: 2, options: '-c search_path=mentor' });
  });

  afterAll(async () => {
    await mentor?.stop();
    await db?.end();
    if (dbName) await dropTestDatabase(dbName);
  });

  it('creates the first admin from ADMIN_PASSWORD, stores only a bcrypt hash, and signs in', async () => {
    const { rows } = await db.query<{ username: string; role: string; password_hash: string }>(
      'SELECT username, role, password_hash FROM users',
    );
    assert.deepEqual(
      rows.map((r) => [r.username, r.role]),
      [['admin', 'admin']],
    );
    assert.match(rows[0].password_hash, /^\$2[aby]\$12\$/);
    assert.ok(!rows[0].password_hash.includes(TEST_ADMIN_PASSWORD));

    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      admin = await login(mentor.url, 'admin', TEST_ADMIN_PASSWORD);
      timings.push(performance.now() - start);
    }
    timings.sort((a, b) => a - b);
    console.log(`sign-in latency (bcrypt cost 12): median ${timings[2].toFixed(0)} ms`);
    assert.equal(admin.token_type, 'Bearer');
    assert.equal(admin.expires_in, 900);
    assert.equal(admin.access_token.split('.').length, 3);
    assert.match(admin.refresh_token, /^[A-Za-z0-9_-]{43}$/);
    const me = await request<{ username: string; role: string }>('GET', `${mentor.url}/auth/me`, {
      headers: bearer(admin.access_token),
    });
    assert.deepEqual([me.status, me.body], [200, { username: 'admin', role: 'admin' }]);
    const stored = await db.query<{ token_hash: Buffer }>('SELECT token_hash FROM refresh_tokens');
    for (const row of stored.rows) {
      assert.ok(!row.token_hash.toString('latin1').includes(admin.refresh_token));
    }
  });

  it('answers a wrong password and an unknown user alike with 401', async () => {
    for (const body of [
      { username: 'admin', password: 'not-the-password' },
      { username: 'nobody', password: TEST_ADMIN_PASSWORD },
    ]) {
      const response = await request<{ message: string }>('POST', `${mentor.url}/auth/login`, {
        body,
      });
      assert.equal(response.status, 401);
      assert.equal(response.body.message, 'Invalid username or password');
    }
  });

  it('rotates the refresh token on use and revokes the session when a used one comes back', async () => {
    const first = await login(mentor.url, 'admin', TEST_ADMIN_PASSWORD);
    const second = await request<TokenPair>('POST', `${mentor.url}/auth/refresh`, {
      body: { refresh_token: first.refresh_token },
    });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    const replay = await request('POST', `${mentor.url}/auth/refresh`, {
      body: { refresh_token: first.refresh_token },
    });
    assert.equal(replay.status, 401, 'a rotated refresh token stops working');
    const afterTheft = await request('POST', `${mentor.url}/auth/refresh`, {
      body: { refresh_token: second.body.refresh_token },
    });
    assert.equal(afterTheft.status, 401, 'the reuse revoked the whole session');
    const other = await request('GET', `${mentor.url}/auth/me`, {
      headers: bearer(admin.access_token),
    });
    assert.equal(other.status, 200, 'other sessions are not affected');
  });

  it('ends a session on logout', async () => {
    const session = await login(mentor.url, 'admin', TEST_ADMIN_PASSWORD);
    const out = await request('POST', `${mentor.url}/auth/logout`, {
      body: { refresh_token: session.refresh_token },
      headers: bearer(session.access_token),
    });
    assert.equal(out.status, 204);
    const refresh = await request('POST', `${mentor.url}/auth/refresh`, {
      body: { refresh_token: session.refresh_token },
    });
    assert.equal(refresh.status, 401);
  });

  it('lets only admins manage users; a deleted user is locked out at once', async () => {
    const created = await request<{ username: string; role: string }>(
      'POST',
      `${mentor.url}/users`,
      {
        body: { username: 'Viewer.Ada', password: 'viewer-password-1', role: 'viewer' },
        headers: bearer(admin.access_token),
      },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.username, created.body.role], ['viewer.ada', 'viewer']);
    const duplicate = await request('POST', `${mentor.url}/users`, {
      body: { username: 'viewer.ada', password: 'viewer-password-2', role: 'admin' },
      headers: bearer(admin.access_token),
    });
    assert.equal(duplicate.status, 409);
    const weak = await request('POST', `${mentor.url}/users`, {
      body: { username: 'weak', password: 'short', role: 'viewer' },
      headers: bearer(admin.access_token),
    });
    assert.equal(weak.status, 400);
    const badRole = await request('POST', `${mentor.url}/users`, {
      body: { username: 'root', password: 'long-enough-password', role: 'root' },
      headers: bearer(admin.access_token),
    });
    assert.equal(badRole.status, 400);

    const viewer = await login(mentor.url, 'VIEWER.ADA', 'viewer-password-1');
    const me = await request<{ role: string }>('GET', `${mentor.url}/auth/me`, {
      headers: bearer(viewer.access_token),
    });
    assert.deepEqual([me.status, me.body.role], [200, 'viewer']);
    for (const [method, path, body] of [
      ['GET', '/users', undefined],
      ['POST', '/users', { username: 'sneaky', password: 'sneaky-password-1', role: 'admin' }],
      ['DELETE', '/users/admin', undefined],
    ] as const) {
      const response = await request(method, `${mentor.url}${path}`, {
        body,
        headers: bearer(viewer.access_token),
      });
      assert.equal(response.status, 403, `${method} ${path} as a viewer`);
    }

    const list = await request<{ username: string }[]>('GET', `${mentor.url}/users`, {
      headers: bearer(admin.access_token),
    });
    assert.deepEqual(
      list.body.map((u) => u.username),
      ['admin', 'viewer.ada'],
    );
    assert.ok(!JSON.stringify(list.body).includes('password'));

    const deleted = await request('DELETE', `${mentor.url}/users/viewer.ada`, {
      headers: bearer(admin.access_token),
    });
    assert.equal(deleted.status, 204);
    const locked = await request('GET', `${mentor.url}/auth/me`, {
      headers: bearer(viewer.access_token),
    });
    assert.equal(locked.status, 401, 'the access token of a deleted user stops working');
    const refresh = await request('POST', `${mentor.url}/auth/refresh`, {
      body: { refresh_token: viewer.refresh_token },
    });
    assert.equal(refresh.status, 401);
    const lastAdmin = await request('DELETE', `${mentor.url}/users/admin`, {
      headers: bearer(admin.access_token),
    });
    assert.equal(lastAdmin.status, 409);
    const missing = await request('DELETE', `${mentor.url}/users/nobody`, {
      headers: bearer(admin.access_token),
    });
    assert.equal(missing.status, 404);
  });

  it('refuses expired, forged and unsigned access tokens', async () => {
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM users WHERE username = 'admin'`,
    );
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: rows[0].id,
      username: 'admin',
      role: 'admin',
      iss: 'raqeem-mentor',
      aud: 'raqeem-mentor',
    };
    const valid = forgeJwt({ ...claims, iat: now, exp: now + 60 }, TEST_JWT_SECRET);
    const good = await request('GET', `${mentor.url}/auth/me`, { headers: bearer(valid) });
    assert.equal(good.status, 200, 'the hand-built token is otherwise right');
    for (const [what, token] of [
      ['expired', forgeJwt({ ...claims, iat: now - 120, exp: now - 60 }, TEST_JWT_SECRET)],
      [
        'forged',
        forgeJwt({ ...claims, iat: now, exp: now + 60 }, 'another-secret-0123456789abcdef0'),
      ],
      ['unsigned', forgeJwt({ ...claims, iat: now, exp: now + 60 }, '', { alg: 'none' })],
      ['other issuer', forgeJwt({ ...claims, iss: 'x', iat: now, exp: now + 60 }, TEST_JWT_SECRET)],
      ['a refresh token', admin.refresh_token],
      ['the service token', TEST_SERVICE_TOKEN],
    ]) {
      const response = await request('GET', `${mentor.url}/auth/me`, { headers: bearer(token) });
      assert.equal(response.status, 401, what);
    }
  });
});

describe('Mentor sign-in limits', () => {
  // Longer than the attempts below take on a busy machine, each paying for a password check:
  // a window that ends among them lets them through.
  const WINDOW_S = 10;
  let mentor: ServiceProcess;
  let dbName: string;

  beforeAll(async () => {
    const created = await createTestDatabase('mentor_login_limits');
    dbName = created.name;
    mentor = await ServiceProcess.start('mentor', {
      ...env(created.url),
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      PASSWORD_HASH_ROUNDS: '10',
      LOGIN_RATE_WINDOW: `${WINDOW_S}s`,
      LOGIN_MAX_FAILURES_PER_USER: '3',
      LOGIN_MAX_ATTEMPTS_PER_IP: '8',
    });
  });

  afterAll(async () => {
    await mentor?.stop();
    if (dbName) await dropTestDatabase(dbName);
  });

  it('holds off a username after repeated failures, and an IP after too many attempts, with 429 and Retry-After', async () => {
    const attempt = (username: string, password: string) =>
      request<{ statusCode: number }>('POST', `${mentor.url}/auth/login`, {
        body: { username, password },
      });
    for (let i = 0; i < 3; i++)
      assert.equal((await attempt('admin', 'wrong-password')).status, 401);
    const held = await attempt('admin', TEST_ADMIN_PASSWORD);
    assert.equal(held.status, 429, 'even the right password waits');
    assert.equal(held.body.statusCode, 429);
    const retryAfter = Number(held.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= WINDOW_S, `Retry-After ${retryAfter}`);
    assert.equal((await attempt('someone-else', 'wrong-password')).status, 401);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    assert.equal((await attempt('admin', TEST_ADMIN_PASSWORD)).status, 200);

    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await attempt(`user${i}`, 'wrong-password')).status);
    assert.deepEqual(statuses.slice(0, 7), Array(7).fill(401));
    assert.equal(statuses[9], 429, 'the IP is held off');
  });
});

describe('Mentor first admin without ADMIN_PASSWORD', () => {
  it('generates the password, prints it once, keeps it in DATA_DIR, and works with it', async () => {
    const created = await createTestDatabase('mentor_first_admin');
    const dataDir = mkdtempSync(join(tmpdir(), 'raqeem-admin-'));
    const mentor = await ServiceProcess.start('mentor', {
      ...env(created.url),
      DATA_DIR: dataDir,
      PASSWORD_HASH_ROUNDS: '10',
    });
    try {
      const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
        ADMIN_PASSWORD: string;
      };
      const printed = mentor.logs.split(secrets.ADMIN_PASSWORD).length - 1;
      assert.equal(printed, 1, 'printed exactly once');
      // As README and SECURITY.md say: a banner on standard output, never a structured log line.
      const lines = mentor.logs.split('\n').filter((l) => l.includes(secrets.ADMIN_PASSWORD));
      assert.match(lines[0], /^\s*First admin created: username "admin", password /);
      await login(mentor.url, 'admin', secrets.ADMIN_PASSWORD);
      await mentor.restart();
      assert.equal(
        mentor.logs.split(secrets.ADMIN_PASSWORD).length - 1,
        1,
        'not printed again on the next start',
      );
    } finally {
      await mentor.stop();
      await dropTestDatabase(created.name);
    }
  });

  it('explains at start-up why a changed ADMIN_PASSWORD does not sign in, without printing it', async () => {
    const created = await createTestDatabase('mentor_admin_changed');
    const first = 'first-admin-password-0123';
    const changed = 'changed-admin-password-0123';
    const mentor = await ServiceProcess.start('mentor', {
      ...env(created.url),
      ADMIN_PASSWORD: first,
      PASSWORD_HASH_ROUNDS: '10',
    });
    try {
      assert.doesNotMatch(mentor.logs, /does not sign in/, 'nothing to explain at first start');
      await mentor.restart({ ADMIN_PASSWORD: changed });
      assert.match(
        mentor.logs,
        /ADMIN_PASSWORD does not sign in as \\?"admin\\?": that user already exists with the password it was created with, and ADMIN_PASSWORD is only used while no user exists/,
      );
      assert.match(mentor.logs, /drop the database of DATABASE_URL/);
      assert.ok(!mentor.logs.includes(changed) && !mentor.logs.includes(first));
      const attempt = (password: string): Promise<{ status: number }> =>
        request('POST', `${mentor.url}/auth/login`, { body: { username: 'admin', password } });
      assert.equal((await attempt(changed)).status, 401);
      assert.equal((await attempt(first)).status, 200);

      // Generated in development: secrets.json recreated over an existing database (a DATA_DIR
      // deleted while DATABASE_URL stays) is explained the same way, naming the file.
      const dataDir = mkdtempSync(join(tmpdir(), 'raqeem-admin-'));
      await mentor.restart({ ADMIN_PASSWORD: '', DATA_DIR: dataDir });
      assert.match(
        mentor.logs,
        new RegExp(
          `the generated ADMIN_PASSWORD in ${join(dataDir, 'secrets.json')} does not sign in`,
        ),
      );
    } finally {
      await mentor.stop();
      await dropTestDatabase(created.name);
    }
  });

  it('refuses to start in production without ADMIN_PASSWORD while no user exists', async () => {
    const created = await createTestDatabase('mentor_prod_admin');
    try {
      const run = await runUntilExit('mentor', { ...env(created.url), NODE_ENV: 'production' });
      assert.notEqual(run.code, 0);
      assert.match(run.output, /ADMIN_PASSWORD: must be set when NODE_ENV=production/);
    } finally {
      await dropTestDatabase(created.name);
    }
  });
});
