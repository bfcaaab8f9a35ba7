import { HttpException } from '@nestjs/common';
import { errorBody } from '../http/error-body';

/** A 429 in the spec's shape; the exception filter turns `retryAfterSeconds` into the header. */
export class RateLimitedException extends HttpException {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests',
  ) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(errorBody(429, `${message}; retry after ${seconds} s`, { retry_after: seconds }), 429);
    this.retryAfterSeconds = seconds;
  }
}
