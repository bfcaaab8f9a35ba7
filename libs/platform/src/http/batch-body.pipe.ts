import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CompiledValidator } from './compiled-validator';
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
 *
 * Batches are validated at high rates (telemetry, the mentor's ingest), so the class's rules
 * are compiled once (CompiledValidator) and a valid batch never goes through class-transformer
 * and the ValidationError machinery; a refused one does, for its error details.
 */
@Injectable()
export class BatchBodyPipe<T extends object> implements PipeTransform<unknown, T[]> {
  private compiled?: CompiledValidator | null;

  constructor(
    private readonly cls: new () => T,
    private readonly options: BatchBodyOptions,
  ) {}

  transform(body: unknown): T[] {
    const items = this.itemsOf(body);
    const valid = this.validFast(items);
    return valid
      ? valid.map((item) => Object.assign(new this.cls(), item))
      : this.validateWithDetails(items);
  }

  /**
   * What transform checks and answers, except that accepted records come back as the parsed
   * JSON objects themselves (unknown fields deleted) rather than as class instances: for hot
   * paths that only read the fields.
   */
  records(body: unknown): T[] {
    const items = this.itemsOf(body);
    return this.validFast(items) ?? this.validateWithDetails(items);
  }

  private itemsOf(body: unknown): unknown[] {
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
    return items;
  }

  /** The records when class-validator would accept all of them, else undefined. */
  private validFast(items: unknown[]): T[] | undefined {
    // Compiled on first use, once every decorator of the class has run.
    if (this.compiled === undefined) this.compiled = CompiledValidator.compile(this.cls) ?? null;
    if (this.compiled === null) return undefined;
    for (const item of items) {
      if (!isPlainObject(item) || !this.compiled.validate(item)) return undefined;
    }
    return items as T[];
  }

  private validateWithDetails(items: unknown[]): T[] {
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
