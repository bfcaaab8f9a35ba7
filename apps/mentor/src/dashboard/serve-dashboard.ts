import fastifyStatic from '@fastify/static';
import { errorBody } from '@app/platform';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { ASSETS_PREFIX, DASHBOARD_CSP, wantsDashboardPage } from './dashboard-route';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built dashboard from `dir` at `/`: its page for `/` and for every browser
 * navigation (see wantsDashboardPage), revalidated on each load so a new build shows at once;
 * its hashed `/assets/` cached for a year; other files (icons) revalidated. Without a build
 * the page is a 503 saying so, and the API works as ever.
 */
export async function serveDashboard(app: NestFastifyApplication, dir: string): Promise<void> {
  const root = resolve(dir);
  const indexFile = join(root, 'index.html');
  const assetsDir = join(root, ASSETS_PREFIX.slice(1, -1)) + sep;
  const fastify = app.getHttpAdapter().getInstance();
  const built = existsSync(root);
  if (!built) {
    new Logger('Dashboard').warn(
      `The dashboard is not built (no ${root}); the API works, \`npm run build\` builds it`,
    );
  }

  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const { method, url } = request;
    if (method !== 'GET' && method !== 'HEAD') return;
    // The same path answers a page or JSON by what is accepted; caches must keep them apart.
    void reply.header('vary', 'Accept');
    if (!wantsDashboardPage(method, url, request.headers.accept)) return;
    const page = await readFile(indexFile).catch(() => undefined);
    if (!page) {
      return reply
        .code(503)
        .send(errorBody(503, 'The dashboard is not built: `npm run build` builds it'));
    }
    const etag = `"${createHash('sha256').update(page).digest('base64url').slice(0, 27)}"`;
    void reply.headers({
      'cache-control': 'no-cache',
      'content-security-policy': DASHBOARD_CSP,
      'content-type': 'text/html; charset=utf-8',
      etag,
    });
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    // Node leaves the body out of a HEAD answer and keeps its length.
    return reply.send(page);
  });

  if (!built) return;
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: true,
    // Swagger's /docs registers the reply decorators; one registration may.
    decorateReply: false,
    index: false,
    redirect: false,
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders: (reply: FastifyReply, path: string) => {
      void reply.header('cache-control', path.startsWith(assetsDir) ? IMMUTABLE : 'no-cache');
    },
  });
}
