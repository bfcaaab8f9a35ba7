import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does with one request; decided from its path and body. */
export type FaultAction =
  | { kind: 'pass' }
  /** Close the connection without an answer, as a crashed or unreachable peer would. */
  | { kind: 'reset' }
  /** Answer for the target without asking it. */
  | { kind: 'respond'; status: number; body?: unknown }
  /** Forward, wait until the target committed, then drop the answer (the sender must retry). */
  | { kind: 'drop-response' }
  | { kind: 'delay'; ms: number };

export type FaultRule = (path: string, body: string) => FaultAction;

/**
 * A real HTTP proxy between the Devices service and the real Mentor, used to inject the
 * failures a network and a busy peer produce. It never fakes a successful answer: every 2xx
 * the sender sees came from the mentor.
 */
export class FaultProxy {
  rule: FaultRule = () => ({ kind: 'pass' });
  requests = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: string) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests += 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const action = this.rule(req.url ?? '/', body.toString('utf8'));
    if (action.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action.kind === 'respond') {
      res.writeHead(action.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          action.body ?? {
            statusCode: action.status,
            error: 'injected',
            message: 'injected by test proxy',
          },
        ),
      );
      return;
    }
    if (action.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, action.ms));
    const upstream = httpRequest(
      new URL(req.url ?? '/', this.target),
      { method: req.method, headers: { ...req.headers, host: new URL(this.target).host } },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (part: Buffer) => parts.push(part));
        answer.on('end', () => {
          if (action.kind === 'drop-response') {
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(parts));
        });
      },
    );
    upstream.on('error', () => req.socket.destroy());
    upstream.end(body);
  }
}
