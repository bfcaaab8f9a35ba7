import { bearer, login } from '@app/testing/auth';
import {
  TEST_ADMIN_PASSWORD,
  TEST_ENROLLMENT_SECRET,
  TEST_OPERATOR_KEY,
  TEST_SERVICE_TOKEN,
} from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

/**
 * What /docs tells a user must be what the services do. Every operation of both OpenAPI
 * documents is called: without credentials it must be refused (401) exactly when the document
 * names a security scheme, and with the credential of each scheme it names it must get past
 * authentication. A query parameter the document marks required must be refused when left out.
 * The list of operations is the document itself, so a route added later is covered too.
 */
type Security = Record<string, string[]>[];

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
}

interface Operation {
  service: 'devices' | 'mentor';
  method: string;
  path: string;
  security: Security;
  parameters: Parameter[];
}

interface OpenApi {
  paths: Record<string, Record<string, { security?: Security; parameters?: Parameter[] }>>;
  components?: { securitySchemes?: Record<string, unknown> };
}

const DEVICE = 'docs-device';
const OTHER = 'docs-other';

describe('/docs tells the truth about every route', () => {
  let stack: Stack;
  const documents = new Map<'devices' | 'mentor', OpenApi>();
  let deviceToken: string;
  let session: Record<string, string> | undefined;

  beforeAll(async () => {
    stack = await Stack.start('api_docs');
    await stack.setUp(async () => {
      deviceToken = await stack.registerDevice(DEVICE);
      await stack.registerDevice(OTHER);
      for (const service of ['devices', 'mentor'] as const) {
        const response = await fetch(`${stack[service]!.url}/docs-json`);
        assert.equal(response.status, 200);
        documents.set(service, (await response.json()) as OpenApi);
      }
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  function operations(): Operation[] {
    return [...documents].flatMap(([service, document]) =>
      Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({
          service,
          method: method.toUpperCase(),
          path,
          security: operation.security ?? [],
          parameters: operation.parameters ?? [],
        })),
      ),
    );
  }

  /** A signed-in admin; signs in again after a route (POST /auth/logout) ended the session. */
  async function adminSession(): Promise<Record<string, string>> {
    if (session) {
      const me = await fetch(`${stack.mentor!.url}/auth/me`, { headers: session });
      await me.body?.cancel();
      if (me.status === 200) return session;
    }
    session = bearer((await login(stack.mentor!.url, 'admin', TEST_ADMIN_PASSWORD)).access_token);
    return session;
  }

  /** Headers and query string that present one security scheme's credential. */
  async function credential(
    scheme: string,
  ): Promise<{ headers: Record<string, string>; query: Record<string, string> }> {
    switch (scheme) {
      case 'device-token':
        return { headers: bearer(deviceToken), query: {} };
      case 'service-token':
        return { headers: bearer(TEST_SERVICE_TOKEN), query: {} };
      case 'operator-key':
        return { headers: { 'x-api-key': TEST_OPERATOR_KEY }, query: {} };
      case 'enrollment-secret':
        return { headers: { 'x-enrollment-secret': TEST_ENROLLMENT_SECRET }, query: {} };
      case 'session':
        return { headers: await adminSession(), query: {} };
      case 'events-ticket': {
        const response = await fetch(`${stack.mentor!.url}/events/ticket`, {
          method: 'POST',
          headers: await adminSession(),
        });
        const { ticket } = (await response.json()) as { ticket: string };
        return { headers: {}, query: { ticket } };
      }
      default:
        throw new Error(`the test knows no credential for the scheme ${scheme}`);
    }
  }

  /**
   * Calls an operation and returns its status only (an event stream is not read). The device
   * id in the path is the device whose token the test holds only where a device token is
   * presented, so an operator route (revoking a token) never touches that device.
   */
  async function call(
    operation: Operation,
    headers: Record<string, string>,
    query: Record<string, string>,
  ): Promise<number> {
    const usesDeviceToken = operation.security.some((r) => 'device-token' in r);
    const path = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) =>
      name === 'id'
        ? usesDeviceToken
          ? DEVICE
          : OTHER
        : name === 'username'
          ? 'nobody'
          : randomUUID(),
    );
    const url = new URL(`${stack[operation.service]!.url}${path}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const body = operation.method === 'GET' ? undefined : '{}';
    const response = await fetch(url, {
      method: operation.method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body,
    });
    await response.body?.cancel();
    return response.status;
  }

  const label = (operation: Operation): string =>
    `${operation.service}: ${operation.method} ${operation.path}`;

  it('covers the routes of both services, the telemetry routes on Fastify among them', () => {
    const all = operations().map(label);
    for (const expected of [
      'devices: POST /api/v1/devices/{id}/metrics',
      'devices: POST /api/v1/devices/{id}/processes',
      'devices: GET /api/v1/devices',
      'mentor: GET /devices',
      'mentor: GET /fleet/summary',
      'mentor: GET /events',
      'mentor: POST /sync',
    ]) {
      assert.ok(all.includes(expected), `${expected} is missing from /docs`);
    }
  });

  it('names only security schemes the document defines', () => {
    for (const operation of operations()) {
      const defined = documents.get(operation.service)!.components?.securitySchemes ?? {};
      for (const scheme of operation.security.flatMap((r) => Object.keys(r))) {
        assert.ok(scheme in defined, `${label(operation)} names the undefined scheme ${scheme}`);
      }
    }
  });

  it('refuses a request without credentials exactly where the document names a scheme', async () => {
    const wrong: string[] = [];
    for (const operation of operations()) {
      const status = await call(operation, {}, {});
      const documented = operation.security.length > 0;
      if (documented !== (status === 401)) {
        wrong.push(
          `${label(operation)}: ${status} without credentials, security ${JSON.stringify(operation.security)}`,
        );
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('lets in the credential of every scheme the document names for a route', async () => {
    const wrong: string[] = [];
    for (const operation of operations()) {
      for (const requirement of operation.security) {
        const headers: Record<string, string> = {};
        const query: Record<string, string> = {};
        for (const scheme of Object.keys(requirement)) {
          const presented = await credential(scheme);
          Object.assign(headers, presented.headers);
          Object.assign(query, presented.query);
        }
        const status = await call(operation, headers, query);
        if (status === 401 || status === 403) {
          wrong.push(`${label(operation)}: ${status} with ${Object.keys(requirement).join(' + ')}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('marks a query parameter required only where leaving it out is refused', async () => {
    const wrong: string[] = [];
    for (const operation of operations()) {
      const required = operation.parameters.filter((p) => p.in === 'query' && p.required);
      if (required.length === 0) continue;
      const presented = operation.security[0]
        ? await credential(Object.keys(operation.security[0])[0])
        : { headers: {}, query: {} };
      // Every other required parameter is left out too; the answer must still be a 400.
      const status = await call(operation, presented.headers, presented.query);
      if (status !== 400) {
        wrong.push(
          `${label(operation)}: ${status} without ${required.map((p) => p.name).join(', ')}`,
        );
      }
    }
    assert.deepEqual(wrong, []);
  });
});
