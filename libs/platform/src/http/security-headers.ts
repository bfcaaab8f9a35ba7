import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * Security headers (helmet) on every response and CORS only for the configured origins
 * (none by default, so browsers on other origins cannot read the API). Helmet's middleware is
 * built once and run on each raw response: @fastify/helmet built it anew for every request
 * (options parsed, 12 middlewares created), a measurable part of a telemetry request.
 */
export function useSecurityHeaders(
  app: NestFastifyApplication,
  corsOrigins: readonly string[],
): void {
  const securityHeaders = helmet({
    contentSecurityPolicy: false,
    // The API is read by agents and the dashboard on the same origin; nothing needs embedding.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (error?: unknown) =>
      done(error instanceof Error ? error : undefined),
    );
  });
  fastify.addHook(
    'onSend',
    (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: () => void) => {
      const docs = request.url === '/docs' || request.url.startsWith('/docs/');
      void reply.header('content-security-policy', docs ? DOCS_CSP : API_CSP);
      if (!docs) void reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
      done();
    },
  );
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
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
  }
}
