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

/** Whether a parsed JSON value holds U+0000 in any string or key. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
  }
  return false;
}

/**
 * JSON is the only body these APIs read. Fastify's parser decodes bytes leniently (invalid
 * UTF-8 becomes U+FFFD, which could then pass validation as an unknown key), so the body is
 * checked to be UTF-8 first, then parsed by Fastify's own secure parser, which refuses
 * `__proto__` and `constructor` keys. Bodies nested deeper than MAX_JSON_DEPTH are refused before
 * parsing, as recursive validation of such a body would exhaust the stack (a 500). A string
 * holding U+0000 is refused too: PostgreSQL cannot store it in text or jsonb, so it would fail
 * the write (a 500); it can only arrive as the escape `\u0000`, so only bodies containing that
 * text are searched after parsing. No other parser is registered: anything else is a 415.
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
      if (body.includes('\\u0000')) {
        void parseJson(request, body.toString('utf8'), (error, parsed) => {
          if (!error && containsNul(parsed)) {
            const message = 'Request body holds a U+0000 character, which cannot be stored';
            done(new BodyError('RAQEEM_NUL_CHARACTER', message), undefined);
            return;
          }
          done(error, parsed);
        });
        return;
      }
      void parseJson(request, body.toString('utf8'), done);
    },
  );
}
