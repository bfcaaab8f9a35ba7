import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundHttp } from './outbound-http';
import { outboundHttpOptions } from './outbound-http.options';

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver whose answer each test sets. */
class Receiver {
  readonly seen: Seen[] = [];
  connections = 0;
  answer: (res: ServerResponse) => void = (res) => res.end('{}');
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.seen.push({ headers: req.headers, body });
        this.answer(res);
      });
    });
    this.server.on('connection', () => (this.connections += 1));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type AxiosOfHttpService = ConstructorParameters<typeof HttpService>[0];

/** As HttpModule.register builds it (axios's CommonJS and ESM typings differ only in name). */
const client = (timeoutMs: number): OutboundHttp =>
  new OutboundHttp(
    new HttpService(axios.create(outboundHttpOptions(timeoutMs)) as unknown as AxiosOfHttpService),
  );

describe('OutboundHttp', () => {
  const receiver = new Receiver();
  const http = client(2000);
  let url: string;

  beforeAll(async () => {
    url = await receiver.listen();
  });
  afterAll(() => receiver.close());

  const post = (requestIds?: string[]) =>
    http.postJson(`${url}/in`, '[{"id":"a"}]', {
      receiver: 'mentor',
      requestIds,
      headers: { authorization: 'Bearer t' },
    });

  it('sends the JSON text as is with its headers, and a 2xx is delivered', async () => {
    receiver.answer = (res) => res.writeHead(202).end('{"stored":1}');
    const answer = await post(['req-1']);
    assert.deepEqual(answer, {
      outcome: { kind: 'delivered' },
      body: '{"stored":1}',
      status: 202,
    });
    const seen = receiver.seen.at(-1)!;
    assert.equal(seen.body, '[{"id":"a"}]');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers.authorization, 'Bearer t');
    assert.equal(seen.headers['x-request-id'], 'req-1');
    assert.equal(seen.headers['x-origin-request-ids'], undefined);
  });

  it('GETs with the credential and no body, and gives the answer with its status', async () => {
    receiver.answer = (res) => res.writeHead(503).end('{"down":true}');
    const answer = await http.getJson(`${url}/view`, {
      receiver: 'devices',
      requestIds: ['req-9'],
      headers: { authorization: 'Bearer t' },
    });
    assert.deepEqual(answer, {
      outcome: {
        kind: 'transient',
        reason: 'devices answered 503: {"down":true}',
        retryAfterMs: undefined,
      },
      body: '{"down":true}',
      status: 503,
    });
    const seen = receiver.seen.at(-1)!;
    assert.equal(seen.body, '');
    assert.equal(seen.headers.authorization, 'Bearer t');
    assert.equal(seen.headers.accept, 'application/json');
    assert.equal(seen.headers['x-request-id'], 'req-9');
  });

  it('names several origin request ids under a fresh request id of its own', async () => {
    await post(['req-1', 'req-2']);
    const seen = receiver.seen.at(-1)!;
    assert.match(String(seen.headers['x-request-id']), /^relay-[0-9a-f-]{36}$/);
    assert.equal(seen.headers['x-origin-request-ids'], 'req-1,req-2');
    await post([]);
    assert.match(String(receiver.seen.at(-1)!.headers['x-request-id']), /^relay-/);
  });

  it('reuses its connection from one request to the next (keep-alive)', async () => {
    receiver.answer = (res) => res.end('{}');
    const before = receiver.connections;
    for (let i = 0; i < 5; i++) await post(['r']);
    assert.ok(receiver.connections - before <= 1, `${receiver.connections - before} connections`);
  });

  it('classifies the spec’s refusals as permanent, with the status and the answer', async () => {
    for (const status of [400, 401, 403, 404, 413, 422]) {
      receiver.answer = (res) => res.writeHead(status).end('no');
      const { outcome } = await post();
      assert.deepEqual(outcome, {
        kind: 'permanent',
        reason: `mentor answered ${status}: no`,
        status,
      });
    }
  });

  it('classifies 5xx, 408 and 429 as transient and honours Retry-After', async () => {
    receiver.answer = (res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down');
    assert.deepEqual((await post()).outcome, {
      kind: 'transient',
      reason: 'mentor answered 429: slow down',
      retryAfterMs: 7000,
    });
    for (const status of [408, 500, 503]) {
      receiver.answer = (res) => res.writeHead(status).end();
      const { outcome } = await post();
      assert.equal(outcome.kind, 'transient', `status ${status}`);
    }
  });

  it('does not follow a redirect: a POST sent elsewhere is not delivered', async () => {
    receiver.answer = (res) => res.writeHead(307, { location: `${url}/other` }).end();
    const count = receiver.seen.length;
    const { outcome } = await post();
    assert.equal(outcome.kind, 'transient');
    assert.equal(receiver.seen.length, count + 1);
  });

  it('reports a receiver that does not answer in time as a timeout', async () => {
    const slow = client(150);
    receiver.answer = (res) => setTimeout(() => res.end('{}'), 1000);
    const { outcome } = await slow.postJson(`${url}/in`, '[]', { receiver: 'mentor' });
    assert.deepEqual(outcome, {
      kind: 'transient',
      reason: 'mentor did not answer: timeout after 150 ms',
    });
  });

  it('reports a refused connection with the address, as transient', async () => {
    const gone = new Receiver();
    const goneUrl = await gone.listen();
    await gone.close();
    const { outcome } = await http.postJson(`${goneUrl}/in`, '[]', { receiver: 'devices' });
    assert.equal(outcome.kind, 'transient');
    assert.equal(
      outcome.kind === 'transient' && outcome.reason,
      `devices unreachable: connect ECONNREFUSED ${goneUrl.slice('http://'.length)}`,
    );
  });
});
