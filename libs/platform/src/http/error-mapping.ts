import { HttpException } from '@nestjs/common';
import { ErrorBody, errorBody } from './error-body';

/** Fastify's own client errors (body parsing, size, media type) keep their 4xx status. */
interface FrameworkError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
}

const FRIENDLY: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type; send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
};

/**
 * Maps anything thrown while serving a request to the spec's error shape. Only 4xx details
 * reach the client; anything else is a 500 with a generic message (the caller logs the stack).
 */
export function toErrorBody(exception: unknown): ErrorBody {
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
    const message =
      (fe.code && FRIENDLY[fe.code]) ??
      (exception instanceof SyntaxError ? 'Request body is not valid JSON' : fe.message) ??
      'Bad request';
    return errorBody(status, message);
  }
  return errorBody(500, 'Internal server error');
}
