import { refusedLiteral } from './guarded-lookup';

/**
 * Why `url` cannot be a webhook endpoint, or undefined when it can: an absolute https URL (http
 * too with allowHttp), no credentials in it, and not an IP literal in a refused range unless
 * allowPrivate. Names are resolved and checked at each delivery, not here.
 */
export function webhookUrlProblem(
  url: string,
  settings: { allowHttp: boolean; allowPrivate: boolean },
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'url must be an absolute URL';
  }
  if (parsed.protocol !== 'https:' && !(settings.allowHttp && parsed.protocol === 'http:')) {
    return settings.allowHttp ? 'url must be http or https' : 'url must be https';
  }
  if (parsed.username || parsed.password) return 'url must not carry credentials';
  if (parsed.hash) return 'url must not have a fragment';
  if (settings.allowPrivate) return undefined;
  const refused = refusedLiteral(parsed.hostname);
  return refused ? `url host ${refused}` : undefined;
}
