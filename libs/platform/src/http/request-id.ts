import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const VALID = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The request id travels device -> devices -> mentor: a well-formed incoming `X-Request-Id`
 * is kept, anything else is replaced. It is stored on the raw request too, so pino-http (which
 * reuses `req.id`) logs the same id fastify hands to controllers.
 */
export function genRequestId(raw: IncomingMessage): string {
  const header = raw.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  const id = candidate && VALID.test(candidate) ? candidate : randomUUID();
  (raw as IncomingMessage & { id?: string }).id = id;
  return id;
}
