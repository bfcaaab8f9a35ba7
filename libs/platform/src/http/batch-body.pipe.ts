import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { errorBody } from './error-body';
import { BadRequestException } from '@nestjs/common';
import { flattenValidationErrors, ValidationFailedException } from './validation-failed.exception';
import type { FieldError } from './error-body';

export interface BatchBodyOptions {
  /** Accept a bare object as a batch of one. */
  allowSingle: boolean;
  maxItems: number;
}

/**
 * Validates a body that is one record or an array of records with the same class-validator
 * rules as the global pipe (which skips arrays). A batch is all-or-nothing: one bad item
 * refuses the request, naming the item and field (`[3].cpu_usage`).
 */
@Injectable()
export class BatchBodyPipe<T extends object> implements PipeTransform<unknown, T[]> {
  constructor(
    private readonly cls: new () => T,
    private readonly options: BatchBodyOptions,
  ) {}

  transform(body: unknown): T[] {
    const items = Array.isArray(body)
      ? body
      : this.options.allowSingle && isPlainObject(body)
        ? [body]
        : undefined;
    if (!items) {
      const expected = this.options.allowSingle ? 'an object or an array of objects' : 'an array';
      throw new BadRequestException(errorBody(400, `Request body must be ${expected}`));
    }
    if (items.length === 0) {
      throw new BadRequestException(errorBody(400, 'Request body must hold at least one record'));
    }
    if (items.length > this.options.maxItems) {
      throw new BadRequestException(
        errorBody(
          400,
          `A batch holds at most ${this.options.maxItems} records (got ${items.length})`,
        ),
      );
    }
    const fields: FieldError[] = [];
    const out: T[] = [];
    items.forEach((item: unknown, index) => {
      if (!isPlainObject(item)) {
        fields.push({ field: `[${index}]`, errors: ['each record must be an object'] });
        return;
      }
      const instance = plainToInstance(this.cls, item);
      const errors = validateSync(instance, {
        whitelist: true,
        forbidUnknownValues: true,
        validationError: { target: false, value: false },
      });
      if (errors.length > 0) fields.push(...flattenValidationErrors(errors, `[${index}]`));
      out.push(instance);
    });
    if (fields.length > 0) throw new ValidationFailedException(fields);
    return out;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
