import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { errorBody } from './error-body';
import { ValidationFailedException } from './validation-failed.exception';

const NOT_A_DTO = new Set<unknown>([Object, Array, String, Number, Boolean]);

/**
 * Nest's pipe lets a `null` or scalar body through to a handler expecting a DTO (there is
 * nothing to validate); a body bound to a DTO class must be a JSON object.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.type === 'body' && metadata.metatype && !NOT_A_DTO.has(metadata.metatype);
    if (dto && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new BadRequestException(errorBody(400, 'Request body must be a JSON object'));
    }
    return super.transform(value, metadata);
  }
}

/**
 * The one global pipe: unknown fields are dropped (agents newer than the server keep working),
 * wrong types and out-of-range values are refused with every offending field named.
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    // The target and value tell a missing field and a field's declared range (see fieldMessages);
    // neither reaches the client.
    validationError: { target: true, value: true },
    exceptionFactory: (errors) => ValidationFailedException.fromValidationErrors(errors),
  });
}
