import type { HttpModuleOptions } from '@nestjs/axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/**
 * Axios settings of every service-to-service client. Keep-alive agents reuse connections
 * between deliveries (a relay sends a request per batch, many per second while it drains);
 * the answer is taken as text whatever its status, so the caller classifies it (see
 * send-outcome.ts) instead of axios throwing on non-2xx; redirects are not followed (a POST
 * that gets one is misconfigured, and following it would resend the body elsewhere).
 */
export function outboundHttpOptions(timeoutMs: number): HttpModuleOptions {
  return {
    timeout: timeoutMs,
    httpAgent: new HttpAgent({ keepAlive: true }),
    httpsAgent: new HttpsAgent({ keepAlive: true }),
    maxRedirects: 0,
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
    responseType: 'text',
    validateStatus: () => true,
    // Our own bodies are JSON text already; no transformation on either way.
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    transitional: { clarifyTimeoutError: true },
  };
}
