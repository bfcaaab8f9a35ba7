import { HttpException } from '@nestjs/common';
import { ErrorBody, errorBody } from './error-body';

/** Fastify's own client errors (body parsing, size, media type) keep their 4xx status. */
interface FrameworkError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
}

/** One message per kind of mistake, the same on every route of both services. */
export const CONTENT_TYPE_MESSAGE = 'Unsupported content type; send application/json';
export const MALFORMED_JSON_MESSAGE = 'Request body is not valid JSON';

const FRIENDLY: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: CONTENT_TYPE_MESSAGE,
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: MALFORMED_JSON_MESSAGE,
};

/** The 413 of a body over the route's limit, naming the limit. */
export function bodyTooLarge(limitBytes: number): ErrorBody {
  const mib = limitBytes / 1_048_576;
  const readable = Number.isInteger(mib) ? ` (${mib} MiB)` : '';
  return errorBody(413, `Request body is larger than the limit of ${limitBytes} bytes${readable}`, {
    limit_bytes: limitBytes,
  });
}

/**
 * Maps anything thrown while serving a request to the spec's error shape. Only 4xx details
 * reach the client; anything else is a 500 with a generic message (the caller logs the stack).
 * `bodyLimit` is the route's, named in a 413.
 */
export function toErrorBody(exception: unknown, bodyLimit?: number): ErrorBody {
  // Nest wraps Fastify's own 4xx errors (body size, media type, JSON) in an HttpException
  // carrying Fastify's wording; they get the same answers here as on routes Nest does not wrap.
  const cause =
    exception instanceof HttpException ? (exception.cause as FrameworkError) : undefined;
  if (cause?.code?.startsWith('FST_')) return toErrorBody(cause, bodyLimit);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') return errorBody(status, response);
    const r = response as { message?: unknown; details?: unknown };
    const message = Array.isArray(r.message)
      ? r.message.join('; ')
      : typeof r.message === 'string'
        ? r.message
        : exception.message;
    const details = r.details as ErrorBody['details'];
    return errorBody(status, message, details);
  }
  const fe = (exception ?? {}) as FrameworkError;
  const status = fe.statusCode ?? fe.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && bodyLimit) return bodyTooLarge(bodyLimit);
    const message =
      (fe.code && FRIENDLY[fe.code]) ??
      (exception instanceof SyntaxError ? MALFORMED_JSON_MESSAGE : fe.message) ??
      'Bad request';
    return errorBody(status, message);
  }
  return errorBody(500, 'Internal server error');
}
