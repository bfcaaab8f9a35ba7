import { STATUS_CODES } from 'node:http';

/** One offending field of a rejected request. `field` is a path such as `[2].cpu_usage`. */
export interface FieldError {
  field: string;
  errors: string[];
}

/** The error shape of every response, as the spec fixes it. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: FieldError[] | Record<string, unknown>;
}

export function errorBody(
  statusCode: number,
  message: string,
  details?: ErrorBody['details'],
): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (details !== undefined) body.details = details;
  return body;
}
