import type { FastifyInstance } from 'fastify';
import { isUtf8 } from 'node:buffer';

/** Deepest nesting of arrays and objects a body may have; ours need 4. */
export const MAX_JSON_DEPTH = 64;

/** A client error Fastify and the exception filter treat like its own body errors. */
class BodyError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The deepest nesting in a JSON text, found by one pass over its bytes (brackets inside strings
 * do not count). Stops early once `limit` is passed.
 */
export function jsonDepth(body: Buffer, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (byte === 0x7d || byte === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

/**
 * JSON is the only body these APIs read. Fastify's parser decodes bytes leniently (invalid
 * UTF-8 becomes U+FFFD, which could then pass validation as an unknown key), so the body is
 * checked to be UTF-8 first, then parsed by Fastify's own secure parser, which refuses
 * `__proto__` and `constructor` keys. Bodies nested deeper than MAX_JSON_DEPTH are refused before
 * parsing, as recursive validation of such a body would exhaust the stack (a 500). No other
 * parser is registered: anything else is a 415.
 */
export function useStrictJsonParser(fastify: FastifyInstance, bodyLimit: number): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (request, body: Buffer, done) => {
      if (!isUtf8(body)) {
        done(new BodyError('RAQEEM_INVALID_UTF8', 'Request body is not valid UTF-8'), undefined);
        return;
      }
      if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        const message = `Request body is nested deeper than ${MAX_JSON_DEPTH} levels`;
        done(new BodyError('RAQEEM_JSON_TOO_DEEP', message), undefined);
        return;
      }
      void parseJson(request, body.toString('utf8'), done);
    },
  );
}
