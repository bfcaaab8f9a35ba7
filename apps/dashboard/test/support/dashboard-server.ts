import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { COMPILED_ROOT } from '@app/testing/repo-root';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The built dashboard, as `npm run build` leaves it. */
export const DASHBOARD_DIR = join(COMPILED_ROOT, 'dashboard');

/**
 * The dashboard in front of a Mentor, the way the Mentor serves it: the built files
 * (`/assets/...`, `/favicon.svg`), `index.html` for any other browser navigation, and every
 * other request (the API, `/events`) passed to the Mentor unchanged, streams included. While
 * the Mentor is down its requests answer 502, as a reverse proxy would.
 */
export class DashboardServer {
  private server?: Server;

  constructor(private readonly mentorUrl: string) {}

  async start(): Promise<string> {
    if (!existsSync(join(DASHBOARD_DIR, 'index.html'))) {
      throw new Error(`${DASHBOARD_DIR}/index.html is missing: run npm run build`);
    }
    const upstream = new URL(this.mentorUrl);
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const file = normalize(join(DASHBOARD_DIR, path));
      const isFile =
        file.startsWith(DASHBOARD_DIR) &&
        path !== '/' &&
        existsSync(file) &&
        statSync(file).isFile();
      const navigation = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
      if (isFile || navigation) {
        const served = isFile ? file : join(DASHBOARD_DIR, 'index.html');
        res.writeHead(200, {
          'content-type': TYPES[extname(served)] ?? 'application/octet-stream',
        });
        createReadStream(served).pipe(res);
        return;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('error', () => res.destroy());
        },
      );
      forward.on('error', () => {
        if (res.headersSent) res.destroy();
        else res.writeHead(502, { 'content-type': 'application/json' }).end('{"statusCode":502}');
      });
      // The browser went away (a closed event stream): stop the Mentor's side too.
      res.on('close', () => {
        if (!res.writableFinished) forward.destroy();
      });
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/**
 * Where the test opens the dashboard: the Mentor itself when it serves the built app (a
 * browser navigation to `/` answers HTML), otherwise a DashboardServer in front of it.
 */
export async function openDashboard(
  mentorUrl: string,
): Promise<{ base: string; stop: () => Promise<void> }> {
  const probe = await fetch(`${mentorUrl}/`, { headers: { accept: 'text/html' } });
  await probe.arrayBuffer();
  if (probe.ok && (probe.headers.get('content-type') ?? '').startsWith('text/html')) {
    return { base: mentorUrl, stop: async () => undefined };
  }
  const server = new DashboardServer(mentorUrl);
  return { base: await server.start(), stop: () => server.stop() };
}
