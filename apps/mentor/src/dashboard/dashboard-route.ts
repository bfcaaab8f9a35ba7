import { DOCS_CSP } from '@app/platform/http/security-headers';

/**
 * The content security policy of the dashboard's page: that of /docs (its own scripts,
 * styles, inline ones too, which chart libraries set; calls to this origin only), with blob:
 * images for screenshots shown from fetched bytes.
 */
export const DASHBOARD_CSP = DOCS_CSP.replace("img-src 'self' data:", "img-src 'self' data: blob:");

/** Hashed by the bundler: a changed file gets a new name, so it can be cached for ever. */
export const ASSETS_PREFIX = '/assets/';

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

/**
 * Whether a request's `Accept` asks for a page: its most preferred media type that is named
 * outright (highest q, the first on a tie; wildcards ignored) is HTML. A browser navigation
 * (`text/html,…,*\/*;q=0.8`) does; curl's and fetch's `*\/*` and `application/json` do not.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let best: { type: string; q: number } | undefined;
  for (const range of accept.split(',')) {
    const [typePart, ...params] = range.split(';');
    const type = typePart.trim().toLowerCase();
    if (!type || type.includes('*')) continue;
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { type, q };
  }
  return best !== undefined && HTML_TYPES.has(best.type);
}

/** Paths that are never the dashboard, whatever the request accepts. */
function isServicePath(path: string): boolean {
  const under = (prefix: string): boolean => path === prefix || path.startsWith(`${prefix}/`);
  return (
    under('/docs') ||
    path === '/docs-json' ||
    path === '/docs-yaml' ||
    under('/health') ||
    path === '/metrics' ||
    path === '/events' ||
    path.startsWith(ASSETS_PREFIX)
  );
}

/**
 * Whether a request gets the dashboard's page: `/` and `/index.html` always; any other GET or
 * HEAD that a browser navigation makes (it prefers HTML), except the service paths above. API
 * routes share paths with the dashboard's views, so everything else reaches the API.
 */
export function wantsDashboardPage(method: string, url: string, accept?: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url.split('?', 1)[0];
  if (path === '/' || path === '/index.html') return true;
  return !isServicePath(path) && prefersHtml(accept);
}
