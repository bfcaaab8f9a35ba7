import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * A JSON API renders nothing, so its policy forbids everything; the Swagger UI at /docs loads
 * its own scripts and styles from this origin (plus inline styles and data: images it uses).
 */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const HELMET_OPTIONS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: false,
  // The API is read by agents and the dashboard on the same origin; nothing needs embedding.
  crossOriginResourcePolicy: { policy: 'same-origin' },
};

/**
 * The headers helmet sets, taken once by running its middleware against a recording response.
 * With the content security policy off (it is set below, by route), each of its middlewares
 * sets a constant header whatever the request, so the answer is the same every time.
 */
export function helmetHeaders(): Record<string, string> {
  const headers = new Map<string, string>();
  const response = {
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  };
  let finished = false;
  helmet(HELMET_OPTIONS)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error instanceof Error ? error : new Error('helmet failed');
      finished = true;
    },
  );
  // A helmet that came to depend on the request or answered later would be caught here.
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return Object.fromEntries(headers);
}

function isDocs(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');
}

/**
 * Security headers (helmet's, a content security policy, `Cache-Control: no-store` on API
 * answers) on every response, and CORS only for the configured origins (none by default, so
 * browsers on other origins cannot read the API). The headers are set on the reply when the
 * request arrives, so error answers carry them too and a route may still set its own
 * `Cache-Control`. helmet's headers are constants, so they are taken once at start-up: running
 * its middleware chain on each raw response was a visible share of a telemetry request's
 * instructions (bench/README.md), copying the headers a fraction of that.
 */
export function useSecurityHeaders(
  app: NestFastifyApplication,
  corsOrigins: readonly string[],
): void {
  const helmetSet = helmetHeaders();
  const api = { ...helmetSet, 'content-security-policy': API_CSP, 'cache-control': 'no-store' };
  const docs = { ...helmetSet, 'content-security-policy': DOCS_CSP };
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(isDocs(request.url) ? docs : api);
    done();
  });
  if (corsOrigins.length > 0) {
    app.enableCors({
      origin: [...corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'x-api-key',
        'x-enrollment-secret',
        'x-request-id',
      ],
      exposedHeaders: ['x-request-id', 'retry-after', 'x-total-count'],
      maxAge: 600,
    });
  }
}
