import { session } from './session';

/** An API answer other than 2xx, with the server's error message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * One call to the Mentor with the session's bearer token. A 401 renews the access token once
 * and repeats the call; when the session cannot be renewed it ends (the app returns to sign-in).
 */
async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const attempt = (): Promise<Response> =>
    fetch(path, {
      method: options.method ?? 'GET',
      signal: options.signal,
      headers: {
        accept,
        ...(session.accessToken ? { authorization: `Bearer ${session.accessToken}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  let response = await attempt();
  if (response.status === 401) {
    if (await session.renew()) response = await attempt();
    if (response.status === 401) session.clear();
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: unknown };
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    throw new ApiError(
      response.status,
      typeof message === 'string' ? message : `${response.status} ${response.statusText}`,
    );
  }
  return response;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options, 'application/json');
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Bytes (a screenshot) through the API, with the token; the caller makes a blob URL. */
export async function apiBlob(path: string, signal?: AbortSignal): Promise<Blob> {
  return (await send(path, { signal }, 'image/*')).blob();
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
