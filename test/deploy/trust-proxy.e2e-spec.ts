import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Stack } from '@app/testing/stack';

/**
 * A reverse proxy as an ingress controller is: it connects to the service from its own address
 * and appends the client's address to X-Forwarded-For.
 */
async function startIngress(target: string): Promise<http.Server> {
  const upstream = new URL(target);
  const server = http.createServer((incoming, outgoing) => {
    const forwarded = [incoming.headers['x-forwarded-for'], incoming.socket.remoteAddress]
      .filter(Boolean)
      .join(', ');
    const proxied = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, 'x-forwarded-for': forwarded },
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    proxied.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** One request from a given client address (any 127.x address is this machine). */
function requestFrom(clientAddress: string, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, localAddress: clientAddress, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const LIMIT = 3;
const PATH = '/api/v1/devices/some-device/commands/pending';
const CLIENT_A = '127.0.0.2';
const CLIENT_B = '127.0.0.3';

describe('Per-IP limit behind an ingress (TRUST_PROXY)', () => {
  const stacks: Stack[] = [];
  const ingresses: http.Server[] = [];
  let trustedPort: number;
  let untrustedPort: number;

  beforeAll(async () => {
    const env = { RATE_LIMIT_PER_IP: String(LIMIT), RATE_LIMIT_WINDOW: '60s' };
    const trusted = await Stack.start('trust_proxy', {
      mentor: false,
      devicesEnv: { ...env, TRUST_PROXY: '127.0.0.1/32' },
    });
    stacks.push(trusted);
    const untrusted = await Stack.start('no_trust_proxy', { mentor: false, devicesEnv: env });
    stacks.push(untrusted);
    for (const stack of stacks) ingresses.push(await startIngress(stack.devices.url));
    trustedPort = (ingresses[0].address() as AddressInfo).port;
    untrustedPort = (ingresses[1].address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const ingress of ingresses) await new Promise((resolve) => ingress.close(resolve));
    for (const stack of stacks) await stack.close();
  });

  it('counts each client behind the trusted proxy separately', async () => {
    const a: number[] = [];
    for (let i = 0; i <= LIMIT; i++) a.push(await requestFrom(CLIENT_A, trustedPort, PATH));
    assert.notEqual(a[0], 429);
    assert.equal(a.filter((status) => status === 429).length, 1, `client A: ${a.join(',')}`);
    assert.equal(a[LIMIT], 429);
    // Client B has its own budget: the limit follows X-Forwarded-For, not the proxy's address.
    assert.notEqual(await requestFrom(CLIENT_B, trustedPort, PATH), 429);
  });

  it('without TRUST_PROXY, every client behind the proxy shares one limit', async () => {
    for (let i = 0; i < LIMIT; i++) {
      assert.notEqual(await requestFrom(CLIENT_A, untrustedPort, PATH), 429);
    }
    assert.equal(await requestFrom(CLIENT_B, untrustedPort, PATH), 429);
  });
});
