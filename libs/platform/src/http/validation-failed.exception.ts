import { BadRequestException } from '@nestjs/common';
import { ValidationError } from 'class-validator';
import { errorBody, FieldError } from './error-body';
import { fieldMessages } from './field-messages';

/** A 400 that lists every offending field, so a client can fix its request in one go. */
export class ValidationFailedException extends BadRequestException {
  constructor(readonly fields: FieldError[]) {
    const summary = fields
      .slice(0, 5)
      .map((field) => `${field.field}: ${field.errors.join(', ')}`)
      .join('; ');
    const more = fields.length > 5 ? ` (and ${fields.length - 5} more)` : '';
    super(errorBody(400, `Validation failed: ${summary}${more}`, fields));
  }

  static fromValidationErrors(errors: ValidationError[], prefix = ''): ValidationFailedException {
    return new ValidationFailedException(flattenValidationErrors(errors, prefix));
  }
}

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    if (error.constraints) {
      out.push({ field: path, errors: fieldMessages(error) });
    }
    if (error.children && error.children.length > 0) {
      out.push(...flattenValidationErrors(error.children, path));
    }
  }
  return out;
}
