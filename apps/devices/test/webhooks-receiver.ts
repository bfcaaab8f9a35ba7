import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request as a webhook receiver saw it. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An event body as Standard Webhooks defines it. */
export interface EventBody {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * A real HTTP server standing in for an operator's webhook receiver: it keeps every request
 * and answers as `answer` says (200 by default; `hang` never answers).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  answer: (request: Received, res: ServerResponse) => void = (_r, res) => res.end('ok');
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const request = { path: req.url ?? '/', headers: req.headers, body };
        this.received.push(request);
        this.answer(request, res);
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Requests to `path`. */
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Verifies a received request with the standardwebhooks package; throws if it does not hold. */
export function verified(secret: string, request: Received): EventBody {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(request.body, headers) as EventBody;
}
