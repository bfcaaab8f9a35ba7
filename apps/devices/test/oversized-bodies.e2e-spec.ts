import { filledChunks, rawPost } from '@app/testing/raw-http';
import { TEST_SERVICE_TOKEN } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MIB = 1_048_576;
const DEVICE = 'big-sender';
const SCREENSHOT_MAX_BYTES = 2 * MIB;
const MENTOR_BODY_LIMIT = 4 * MIB;
const BOUNDARY = 'raqeem-oversized-boundary';
/** How much of a refused body the services read before they close the connection. */
const DRAIN_CAP = 64 * MIB;

/** The largest buffer the kernel may grow for a TCP socket in the given direction. */
function kernelBufferMax(direction: 'rmem' | 'wmem'): number {
  const limits = readFileSync(`/proc/sys/net/ipv4/tcp_${direction}`, 'utf8').trim().split(/\s+/);
  return Number(limits[2]);
}

/**
 * A body size the client cannot finish writing before the server closes the connection: the
 * server reads `cap` bytes (and the megabyte the parser read before refusing), and until it closes
 * the client can be ahead of it by no more than the server's receive buffer and its own send
 * buffer. Below that, the whole body can sit in the kernel's buffers with every write reported
 * done, and the client reads the 413 before the reset arrives.
 */
function pastWhatTheKernelBuffers(cap: number): number {
  return cap + MIB + kernelBufferMax('rmem') + kernelBufferMax('wmem') + 16 * MIB;
}

interface Answer {
  status: number;
  body: string;
  failure?: string;
}

interface Target {
  name: string;
  url: () => string;
  headers: () => Record<string, string>;
  limit: number;
  multipart?: boolean;
}

/** The multipart framing around `size` bytes of file. */
function multipartParts(): { head: Buffer; tail: Buffer } {
  return {
    head: Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="s.png"\r\n` +
        'Content-Type: image/png\r\n\r\n',
    ),
    tail: Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  };
}

function* bodyChunks(target: Target, size: number): Iterable<Buffer> {
  if (!target.multipart) {
    yield* filledChunks(size);
    return;
  }
  const { head, tail } = multipartParts();
  yield head;
  yield* filledChunks(size - head.length - tail.length);
  yield tail;
}

function contentType(target: Target): string {
  return target.multipart ? `multipart/form-data; boundary=${BOUNDARY}` : 'application/json';
}

function assertRefused(answer: Answer, target: Target, client: string): void {
  const where = `${client} to ${target.name}`;
  assert.equal(answer.failure, undefined, `${where}: ${answer.failure}`);
  assert.equal(answer.status, 413, `${where}: ${answer.body.slice(0, 200)}`);
  const body = JSON.parse(answer.body) as {
    statusCode: number;
    message: string;
    details: { limit_bytes: number };
  };
  assert.equal(body.statusCode, 413, where);
  assert.ok(body.message.includes(String(target.limit)), `${where}: ${body.message}`);
  assert.equal(body.details.limit_bytes, target.limit, where);
}

describe('Oversized bodies are answered 413, readable by every client', () => {
  let stack: Stack;
  let dir: string;
  const targets: Target[] = [
    {
      name: 'Devices telemetry (a route on Fastify)',
      url: () => `${stack.api}/devices/${DEVICE}/metrics`,
      headers: () => stack.asDevice(DEVICE),
      limit: MIB,
    },
    {
      name: 'Devices registration (a Nest controller)',
      url: () => `${stack.api}/devices/register`,
      headers: () => ({}),
      limit: MIB,
    },
    {
      name: 'Devices screenshots (multipart)',
      url: () => `${stack.api}/devices/${DEVICE}/screenshots`,
      headers: () => stack.asDevice(DEVICE),
      limit: SCREENSHOT_MAX_BYTES,
      multipart: true,
    },
    {
      name: 'Mentor ingest',
      url: () => `${stack.mentor!.url}/devices/metrics`,
      headers: () => ({ authorization: `Bearer ${TEST_SERVICE_TOKEN}` }),
      limit: MENTOR_BODY_LIMIT,
    },
  ];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'raqeem-oversized-'));
    stack = await Stack.start('oversized_bodies', {
      forward: false,
      devicesEnv: { SCREENSHOT_MAX_BYTES: String(SCREENSHOT_MAX_BYTES) },
      mentorEnv: { BODY_LIMIT: String(MENTOR_BODY_LIMIT) },
    });
    await stack.registerDevice(DEVICE);
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function withFetch(target: Target, size: number): Promise<Answer> {
    const body = Buffer.concat([...bodyChunks(target, size)]);
    try {
      const response = await fetch(target.url(), {
        method: 'POST',
        headers: { ...target.headers(), 'content-type': contentType(target) },
        body,
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { status: 0, body: '', failure: `${String(error)} ${cause?.code ?? cause?.message}` };
    }
  }

  async function withSocket(target: Target, size: number, chunked: boolean): Promise<Answer> {
    const answer = await rawPost(target.url(), {
      headers: { ...target.headers(), 'Content-Type': contentType(target) },
      chunks: bodyChunks(target, size),
      length: size,
      chunked,
    });
    return { ...answer, failure: answer.writeError };
  }

  async function withCurl(target: Target, size: number): Promise<Answer> {
    const file = join(dir, 'body');
    writeFileSync(file, Buffer.concat([...bodyChunks(target, size)]));
    const headers = Object.entries({ ...target.headers(), 'content-type': contentType(target) });
    const args = ['-sS', '-o', '-', '-w', '\n%{http_code}', '--data-binary', `@${file}`];
    for (const [name, value] of headers) args.push('-H', `${name}: ${value}`);
    args.push(target.url());
    return new Promise((resolve) => {
      execFile('curl', args, { maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
        const cut = stdout.lastIndexOf('\n');
        resolve({
          status: Number(stdout.slice(cut + 1)),
          body: stdout.slice(0, cut),
          failure: error ? `curl: ${stderr || error.message}` : undefined,
        });
      });
    });
  }

  for (const target of targets) {
    it(`answers 413 naming the limit at twice it and at 60 MiB: ${target.name}`, async () => {
      for (const size of [2 * target.limit, 60 * MIB]) {
        assertRefused(await withFetch(target, size), target, `fetch of ${size} bytes`);
        assertRefused(await withSocket(target, size, false), target, `socket of ${size} bytes`);
        assertRefused(
          await withSocket(target, size, true),
          target,
          `chunked socket of ${size} bytes`,
        );
        assertRefused(await withCurl(target, size), target, `curl of ${size} bytes`);
      }
    });
  }

  it('closes the connection of a body past 64 MiB and keeps serving', async () => {
    const target = targets[0];
    const answer = await rawPost(target.url(), {
      headers: { ...target.headers(), 'Content-Type': 'application/json' },
      chunks: filledChunks(pastWhatTheKernelBuffers(DRAIN_CAP)),
      chunked: true,
    });
    assert.ok(answer.writeError !== undefined || answer.status === 0, 'the connection closed');
    const after = await fetch(target.url(), {
      method: 'POST',
      headers: { ...target.headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ cpu_usage: 1 }),
    });
    assert.equal(after.status, 201);
  });
});
