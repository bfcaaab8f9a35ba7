import { bearer, login, type TokenPair } from '@app/testing/auth';
import { request } from '@app/testing/http-client';
import { pngImage } from '@app/testing/images';
import {
  TEST_ADMIN_PASSWORD,
  TEST_ENROLLMENT_SECRET,
  TEST_JWT_SECRET,
  TEST_OPERATOR_KEY,
  TEST_SERVICE_TOKEN,
} from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';

/**
 * Every endpoint of both services against every kind of credential. The table below is the
 * one list of endpoints: adding an endpoint means adding its row, and the expected status of
 * each cell follows from the endpoint's kind of authentication.
 */
type Column = 'none' | 'wrong' | 'other device token' | 'revoked or retired' | 'right' | 'viewer';
type Kind =
  | 'enrollment'
  | 'device'
  | 'operator'
  | 'service'
  | 'session'
  | 'admin'
  | 'login'
  | 'refresh'
  | 'public';

interface Endpoint {
  service: 'devices' | 'mentor';
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  kind: Kind;
  /** Status of the right credential. */
  ok: number;
  /** A valid body, built fresh for each cell. */
  body?: () => unknown;
}

const DEVICE = 'matrix-device';
const OTHER = 'matrix-other';
const now = (): string => new Date().toISOString();
const SHOT = pngImage(4, 3);
const SHOT_ID = randomUUID();

const ENDPOINTS: Endpoint[] = [
  // Devices: agents
  {
    service: 'devices',
    method: 'POST',
    path: '/api/v1/devices/register',
    kind: 'enrollment',
    ok: 201,
    body: () => ({ deviceid: 'matrix-enrolled' }),
  },
  ...(['metrics', 'activities', 'alerts'] as const).map((kind): Endpoint => ({
    service: 'devices',
    method: 'POST',
    path: `/api/v1/devices/${DEVICE}/${kind}`,
    kind: 'device',
    ok: 201,
    body: () =>
      kind === 'metrics'
        ? [{ cpu_usage: 1 }]
        : kind === 'activities'
          ? [{ activity_type: 'login' }]
          : [{ level: 'info', alert_type: 'matrix' }],
  })),
  {
    service: 'devices',
    method: 'POST',
    path: `/api/v1/devices/${DEVICE}/processes`,
    kind: 'device',
    ok: 201,
    body: () => [{ pid: 1, process_name: 'init' }],
  },
  // Devices: commands (a right credential on an unknown command reaches the handler: 404)
  {
    service: 'devices',
    method: 'GET',
    path: `/api/v1/devices/${DEVICE}/commands/pending`,
    kind: 'device',
    ok: 200,
  },
  {
    service: 'devices',
    method: 'POST',
    path: `/api/v1/devices/${DEVICE}/commands/${randomUUID()}/result`,
    kind: 'device',
    ok: 404,
    body: () => ({ status: 'running' }),
  },
  {
    service: 'devices',
    method: 'POST',
    path: '/api/v1/internal/commands',
    kind: 'service',
    ok: 200,
    body: () => ({
      commandid: randomUUID(),
      deviceid: DEVICE,
      command_text: 'status',
      issued_by: 'matrix',
      created_at: now(),
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  },
  ...(['backlog', 'dead-letters'] as const).map((view): Endpoint => ({
    service: 'devices',
    method: 'GET',
    path: `/api/v1/internal/forwarding/${view}`,
    kind: 'service',
    ok: 200,
  })),
  {
    service: 'devices',
    method: 'POST',
    path: '/api/v1/internal/forwarding/dead-letters/replay',
    kind: 'service',
    ok: 202,
    body: () => ({ all: true }),
  },
  // Devices: operators
  { service: 'devices', method: 'GET', path: '/api/v1/devices', kind: 'operator', ok: 200 },
  {
    service: 'devices',
    method: 'GET',
    path: `/api/v1/devices/${DEVICE}`,
    kind: 'operator',
    ok: 200,
  },
  {
    service: 'devices',
    method: 'POST',
    path: '/api/v1/devices/matrix-revoke/revoke-token',
    kind: 'operator',
    ok: 204,
  },
  {
    service: 'devices',
    method: 'GET',
    path: '/api/v1/forwarding/backlog',
    kind: 'operator',
    ok: 200,
  },
  {
    service: 'devices',
    method: 'GET',
    path: '/api/v1/forwarding/dead-letters',
    kind: 'operator',
    ok: 200,
  },
  {
    service: 'devices',
    method: 'POST',
    path: '/api/v1/forwarding/dead-letters/replay',
    kind: 'operator',
    ok: 202,
    body: () => ({ all: true }),
  },
  // Mentor: ingest from the Devices service
  ...(
    [
      ['/devices/register', () => ({ deviceid: 'm-x', registered_at: now(), updated_at: now() })],
      [
        '/devices/metrics',
        () => ({ id: randomUUID(), deviceid: 'm-x', timestamp: now(), cpu_usage: 1 }),
      ],
      [
        '/devices/activity',
        () => ({ id: randomUUID(), deviceid: 'm-x', timestamp: now(), activity_type: 'x' }),
      ],
      [
        '/devices/alerts',
        () => ({
          id: randomUUID(),
          deviceid: 'm-x',
          timestamp: now(),
          level: 'info',
          alert_type: 'x',
        }),
      ],
      [
        '/devices/processes',
        () => ({
          id: randomUUID(),
          deviceid: 'm-x',
          timestamp: now(),
          processes: [{ pid: 1, process_name: 'x' }],
        }),
      ],
    ] as const
  ).map(([path, body]): Endpoint => ({
    service: 'mentor',
    method: 'POST',
    path,
    kind: 'service',
    ok: 200,
    body,
  })),
  {
    service: 'mentor',
    method: 'POST',
    path: '/commands/status',
    kind: 'service',
    ok: 200,
    body: () => ({ id: randomUUID(), deviceid: 'm-x', timestamp: now(), status: 'running' }),
  },
  {
    service: 'mentor',
    method: 'POST',
    path: '/devices/screenshots',
    kind: 'service',
    ok: 200,
    body: () => ({
      id: SHOT_ID,
      deviceid: 'm-x',
      timestamp: now(),
      content_type: 'image/png',
      width: 4,
      height: 3,
      size_bytes: SHOT.length,
      sha256: createHash('sha256').update(SHOT).digest('hex'),
      image_base64: SHOT.toString('base64'),
    }),
  },
  // Mentor: commands and screenshots of the device the ingest rows above created
  { service: 'mentor', method: 'GET', path: '/devices/m-x/commands', kind: 'session', ok: 200 },
  {
    service: 'mentor',
    method: 'POST',
    path: '/devices/m-x/commands',
    kind: 'admin',
    ok: 201,
    body: () => ({ command_text: 'get_info' }),
  },
  { service: 'mentor', method: 'GET', path: '/devices/m-x/screenshots', kind: 'session', ok: 200 },
  {
    service: 'mentor',
    method: 'GET',
    path: `/devices/m-x/screenshots/${SHOT_ID}/image`,
    kind: 'session',
    ok: 200,
  },
  // Mentor: Devices' forwarding view, through its internal route
  { service: 'mentor', method: 'GET', path: '/forwarding/backlog', kind: 'session', ok: 200 },
  { service: 'mentor', method: 'GET', path: '/forwarding/dead-letters', kind: 'session', ok: 200 },
  {
    service: 'mentor',
    method: 'POST',
    path: '/forwarding/dead-letters/replay',
    kind: 'admin',
    ok: 202,
    body: () => ({ all: true }),
  },
  // Mentor: users and sessions
  { service: 'mentor', method: 'POST', path: '/auth/login', kind: 'login', ok: 200 },
  { service: 'mentor', method: 'POST', path: '/auth/refresh', kind: 'refresh', ok: 200 },
  { service: 'mentor', method: 'GET', path: '/auth/me', kind: 'session', ok: 200 },
  {
    service: 'mentor',
    method: 'POST',
    path: '/auth/logout',
    kind: 'session',
    ok: 204,
    body: () => ({}),
  },
  { service: 'mentor', method: 'GET', path: '/users', kind: 'admin', ok: 200 },
  {
    service: 'mentor',
    method: 'POST',
    path: '/users',
    kind: 'admin',
    ok: 201,
    body: () => ({
      username: `u-${randomUUID().slice(0, 8)}`,
      password: 'matrix-password-1',
      role: 'viewer',
    }),
  },
  {
    service: 'mentor',
    method: 'PATCH',
    path: '/users/matrix-promoted',
    kind: 'admin',
    ok: 200,
    body: () => ({ role: 'admin' }),
  },
  { service: 'mentor', method: 'DELETE', path: '/users/matrix-doomed', kind: 'admin', ok: 204 },
  // Both: public
  ...(['devices', 'mentor'] as const).flatMap((service) =>
    ['/health', '/health/live', '/health/ready', '/metrics', '/docs'].map((path): Endpoint => ({
      service,
      method: 'GET',
      path,
      kind: 'public',
      ok: 200,
    })),
  ),
];

const COLUMNS: Column[] = [
  'none',
  'wrong',
  'other device token',
  'revoked or retired',
  'right',
  'viewer',
];

/** Expected status of a cell; undefined = the column does not apply to this kind. */
function expected(endpoint: Endpoint, column: Column): number | undefined {
  if (column === 'right') return endpoint.ok;
  switch (endpoint.kind) {
    case 'public':
      return column === 'viewer' ? undefined : 200;
    case 'device':
      return column === 'viewer' ? undefined : column === 'other device token' ? 403 : 401;
    case 'login':
    case 'refresh':
      return column === 'viewer' ? undefined : column === 'none' ? 400 : 401;
    case 'session':
      return column === 'viewer' ? endpoint.ok : 401;
    case 'admin':
      return column === 'viewer' ? 403 : 401;
    default:
      return column === 'viewer' ? undefined : 401;
  }
}

const RETIRED_OPERATOR_KEY = 'retired-operator-key-0123456789ab';
const RETIRED_SERVICE_TOKEN = 'retired-service-token-0123456789ab';
const RETIRED_ENROLLMENT_SECRET = 'retired-enrollment-secret-0123456';
const NONE: Record<string, string> = {};
const WRONG = 'wrong-credential-0123456789abcdef0123456';

interface Credentials {
  current: string;
  rotatedOut: string;
  other: string;
  admin: TokenPair;
  viewer: TokenPair;
  deletedUser: TokenPair;
  usedRefresh: string;
  freshRefresh: () => Promise<string>;
}

/** Headers and body of one cell. */
async function cell(
  endpoint: Endpoint,
  column: Column,
  c: Credentials,
): Promise<{ headers: Record<string, string>; body?: unknown }> {
  const body = endpoint.body?.();
  const pick = <T = Record<string, string>>(
    values: Record<Exclude<Column, 'viewer'>, T>,
    viewer?: T,
  ): T => (column === 'viewer' ? viewer! : values[column]);
  switch (endpoint.kind) {
    case 'enrollment':
      return {
        body,
        headers: pick({
          none: NONE,
          wrong: { 'x-enrollment-secret': WRONG },
          'other device token': bearer(c.other),
          'revoked or retired': { 'x-enrollment-secret': RETIRED_ENROLLMENT_SECRET },
          right: { 'x-enrollment-secret': TEST_ENROLLMENT_SECRET },
        }),
      };
    case 'device':
      return {
        body,
        headers: pick({
          none: NONE,
          wrong: bearer('A'.repeat(43)),
          'other device token': bearer(c.other),
          'revoked or retired': bearer(c.rotatedOut),
          right: bearer(c.current),
        }),
      };
    case 'operator':
      return {
        body,
        headers: pick({
          none: NONE,
          wrong: { 'x-api-key': WRONG },
          'other device token': { 'x-api-key': c.current, ...bearer(c.current) },
          'revoked or retired': { 'x-api-key': RETIRED_OPERATOR_KEY },
          right: { 'x-api-key': TEST_OPERATOR_KEY },
        }),
      };
    case 'service':
      return {
        body,
        headers: pick({
          none: NONE,
          wrong: bearer(WRONG),
          'other device token': bearer(c.current),
          'revoked or retired': bearer(RETIRED_SERVICE_TOKEN),
          right: bearer(TEST_SERVICE_TOKEN),
        }),
      };
    case 'session':
    case 'admin':
      return {
        body,
        headers: pick(
          {
            none: NONE,
            wrong: bearer(WRONG),
            'other device token': bearer(c.current),
            'revoked or retired': bearer(c.deletedUser.access_token),
            right: bearer(c.admin.access_token),
          },
          bearer(c.viewer.access_token),
        ),
      };
    case 'login':
      return {
        headers: {},
        body: pick({
          none: { username: 'admin' },
          wrong: { username: 'admin', password: WRONG },
          'other device token': { username: 'admin', password: c.current },
          'revoked or retired': { username: 'matrix-gone', password: 'matrix-gone-password' },
          right: { username: 'admin', password: TEST_ADMIN_PASSWORD },
        }),
      };
    case 'refresh':
      return {
        headers: {},
        body: pick({
          none: NONE,
          wrong: { refresh_token: WRONG },
          'other device token': { refresh_token: c.current },
          'revoked or retired': { refresh_token: c.usedRefresh },
          right: { refresh_token: column === 'right' ? await c.freshRefresh() : '' },
        }),
      };
    case 'public':
      return { headers: column === 'right' ? {} : bearer(WRONG), body };
  }
}

describe('Authentication matrix of both services', () => {
  let stack: Stack;
  let c: Credentials;
  const secretsSent = new Set<string>([
    TEST_ENROLLMENT_SECRET,
    TEST_OPERATOR_KEY,
    TEST_SERVICE_TOKEN,
    TEST_ADMIN_PASSWORD,
    TEST_JWT_SECRET,
    'matrix-gone-password',
    'matrix-viewer-password',
    'matrix-password-1',
    'matrix-promoted-password',
  ]);

  beforeAll(async () => {
    stack = await Stack.start('auth_matrix', {
      devicesEnv: { LOG_LEVEL: 'debug' },
      mentorEnv: { LOG_LEVEL: 'debug' },
    });
    const rotatedOut = await stack.registerDevice(DEVICE);
    const current = await stack.registerDevice(DEVICE);
    const other = await stack.registerDevice(OTHER);
    await stack.registerDevice('matrix-revoke');
    const mentor = stack.mentor!.url;
    const admin = await login(mentor, 'admin', TEST_ADMIN_PASSWORD);
    const createUser = async (username: string, password: string, role: string) => {
      const response = await request('POST', `${mentor}/users`, {
        body: { username, password, role },
        headers: bearer(admin.access_token),
      });
      assert.equal(response.status, 201);
    };
    await createUser('matrix-viewer', 'matrix-viewer-password', 'viewer');
    await createUser('matrix-gone', 'matrix-gone-password', 'viewer');
    await createUser('matrix-doomed', 'matrix-doomed-password', 'viewer');
    await createUser('matrix-promoted', 'matrix-promoted-password', 'viewer');
    const viewer = await login(mentor, 'matrix-viewer', 'matrix-viewer-password');
    const deletedUser = await login(mentor, 'matrix-gone', 'matrix-gone-password');
    const gone = await request('DELETE', `${mentor}/users/matrix-gone`, {
      headers: bearer(admin.access_token),
    });
    assert.equal(gone.status, 204);
    const rotated = await login(mentor, 'admin', TEST_ADMIN_PASSWORD);
    const next = await request<TokenPair>('POST', `${mentor}/auth/refresh`, {
      body: { refresh_token: rotated.refresh_token },
    });
    assert.equal(next.status, 200);
    c = {
      current,
      rotatedOut,
      other,
      admin,
      viewer,
      deletedUser,
      usedRefresh: rotated.refresh_token,
      freshRefresh: async () => {
        const pair = await login(mentor, 'admin', TEST_ADMIN_PASSWORD);
        secretsSent.add(pair.access_token).add(pair.refresh_token);
        return pair.refresh_token;
      },
    };
    for (const value of [current, rotatedOut, other, ...stack.deviceTokens.values()])
      secretsSent.add(value);
    for (const pair of [admin, viewer, deletedUser, rotated, next.body]) {
      secretsSent.add(pair.access_token).add(pair.refresh_token);
    }
  });

  afterAll(async () => {
    await stack?.close();
  });

  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.service} ${endpoint.method} ${endpoint.path} (${endpoint.kind}) answers each credential as expected`, async () => {
      const base = endpoint.service === 'devices' ? stack.devices.url : stack.mentor!.url;
      const results: string[] = [];
      let failed = false;
      for (const column of COLUMNS) {
        const want = expected(endpoint, column);
        if (want === undefined) continue;
        const { headers, body } = await cell(endpoint, column, c);
        const response = await request<unknown>(endpoint.method, `${base}${endpoint.path}`, {
          headers,
          body,
        });
        if (response.body && typeof response.body === 'object' && 'access_token' in response.body) {
          const pair = response.body as TokenPair;
          secretsSent.add(pair.access_token).add(pair.refresh_token);
        }
        if (response.body && typeof response.body === 'object' && 'device_token' in response.body) {
          secretsSent.add((response.body as { device_token: string }).device_token);
        }
        results.push(
          `${column}: ${response.status}${response.status === want ? '' : ` (want ${want})`}`,
        );
        if (response.status !== want) failed = true;
        if (response.status >= 400) {
          const error = response.body as { statusCode?: number; message?: string };
          assert.equal(error.statusCode, response.status, 'errors keep the spec shape');
          assert.equal(typeof error.message, 'string');
        }
      }
      assert.ok(!failed, results.join(', '));
    });
  }

  it('never writes any credential it was sent or issued to the logs of either service', async () => {
    // Give both services a moment to flush their last request lines.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logs = { devices: stack.devices.logs, mentor: stack.mentor!.logs };
    assert.ok(logs.devices.length > 1000 && logs.mentor.length > 1000, 'the logs were captured');
    assert.match(logs.devices, /"url":"\/api\/v1\/devices\/register"/, 'request lines are logged');
    for (const [service, text] of Object.entries(logs)) {
      for (const secret of secretsSent) {
        assert.ok(
          !text.includes(secret),
          `${service} logged a secret starting ${secret.slice(0, 6)}`,
        );
      }
    }
  });
});
