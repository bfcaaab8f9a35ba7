import type { FastifyInstance } from 'fastify';
import { isUtf8 } from 'node:buffer';

/** A client error Fastify and the exception filter treat like its own body errors. */
class InvalidUtf8Error extends Error {
  readonly statusCode = 400;
  readonly code = 'RAQEEM_INVALID_UTF8';
  constructor() {
    super('Request body is not valid UTF-8');
  }
}

/**
 * JSON is the only body these APIs read. Fastify's parser decodes bytes leniently (invalid
 * UTF-8 becomes U+FFFD, which could then pass validation as an unknown key), so the body is
 * checked to be UTF-8 first, then parsed by Fastify's own secure parser, which refuses
 * `__proto__` and `constructor` keys. No other parser is registered: anything else is a 415.
 */
export function useStrictJsonParser(fastify: FastifyInstance, bodyLimit: number): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (request, body: Buffer, done) => {
      if (!isUtf8(body)) {
        done(new InvalidUtf8Error(), undefined);
        return;
      }
      void parseJson(request, body.toString('utf8'), done);
    },
  );
}
