import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import { RequestLog } from './request-log';

type Hook = (...args: unknown[]) => void;

function setup(): { lines: [string, Record<string, unknown>, string][]; hooks: Map<string, Hook> } {
  const lines: [string, Record<string, unknown>, string][] = [];
  const logger = Object.fromEntries(
    ['info', 'warn', 'error'].map((level) => [
      level,
      (line: Record<string, unknown>, msg: string) => lines.push([level, line, msg]),
    ]),
  ) as unknown as Logger;
  const hooks = new Map<string, Hook>();
  const fastify = { addHook: (name: string, hook: Hook) => hooks.set(name, hook) };
  new RequestLog(logger).install(fastify as unknown as FastifyInstance);
  return { lines, hooks };
}

function respond(hooks: Map<string, Hook>, url: string, statusCode: number): void {
  const request = { id: 'req-1', method: 'POST', url } as FastifyRequest;
  const reply = { statusCode, elapsedTime: 3.4 } as FastifyReply;
  hooks.get('onResponse')!(request, reply, () => undefined);
}

describe('RequestLog', () => {
  it("writes pino-http's line: info, warn for 4xx, error for 5xx, tickets removed", () => {
    const { lines, hooks } = setup();
    respond(hooks, '/api/v1/devices/d/metrics', 201);
    respond(hooks, '/events?ticket=secret.jwt&x=1', 401);
    respond(hooks, '/api/v1/devices/d/alerts', 500);
    assert.deepEqual(lines, [
      [
        'info',
        {
          req: { id: 'req-1', method: 'POST', url: '/api/v1/devices/d/metrics' },
          res: { statusCode: 201 },
          responseTime: 3,
        },
        'request completed',
      ],
      [
        'warn',
        {
          req: { id: 'req-1', method: 'POST', url: '/events?ticket=[redacted]&x=1' },
          res: { statusCode: 401 },
          responseTime: 3,
        },
        'request completed',
      ],
      [
        'error',
        {
          req: { id: 'req-1', method: 'POST', url: '/api/v1/devices/d/alerts' },
          res: { statusCode: 500 },
          responseTime: 3,
          err: { message: 'failed with status code 500' },
        },
        'request errored',
      ],
    ]);
  });

  it('leaves out health probes and scrapes, not routes that merely end in /metrics', () => {
    const { lines, hooks } = setup();
    for (const url of ['/health', '/health/ready', '/metrics', '/metrics?x=1']) {
      respond(hooks, url, 200);
    }
    assert.equal(lines.length, 0);
    respond(hooks, '/api/v1/devices/d/metrics', 201);
    assert.equal(lines.length, 1);
  });
});
