import { Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
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
  private known?: ReadonlySet<string>;

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
   * paths that only read the fields. The names of the unknown fields are added to `ignored`, so
   * the answer can show a client the names it misspelt.
   */
  records(body: unknown, ignored?: Set<string>): T[] {
    const items = this.itemsOf(body);
    return this.validFast(items, ignored) ?? this.validateWithDetails(items, ignored);
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
  private validFast(items: unknown[], ignored?: Set<string>): T[] | undefined {
    // Compiled on first use, once every decorator of the class has run.
    if (this.compiled === undefined) this.compiled = CompiledValidator.compile(this.cls) ?? null;
    if (this.compiled === null) return undefined;
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      if (!isPlainObject(item) || !this.compiled.validate(item, ignored)) return undefined;
      if (isEmpty(item)) {
        throw new ValidationFailedException([this.noKnownField(index, [...(ignored ?? [])])]);
      }
    }
    return items as T[];
  }

  /** The fields the class declares (those a record may carry). */
  private knownFields(): ReadonlySet<string> {
    this.known ??= new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(this.cls, '', true, false)
        .map((metadata) => metadata.propertyName),
    );
    return this.known;
  }

  /**
   * A record without one known field would be stored as an all-null record, hiding the client's
   * mistake (a misspelt field name): it is refused, naming the fields it could carry.
   */
  private noKnownField(index: number, unknown: string[]): FieldError {
    const names = unknown.length > 0 ? `; ignored: ${unknown.slice(0, 10).join(', ')}` : '';
    const expected = [...this.knownFields()].join(', ');
    return {
      field: `[${index}]`,
      errors: [`the record holds none of the known fields (${expected})${names}`],
    };
  }

  private validateWithDetails(items: unknown[], ignored?: Set<string>): T[] {
    const fields: FieldError[] = [];
    const out: T[] = [];
    const known = this.knownFields();
    items.forEach((item: unknown, index) => {
      if (!isPlainObject(item)) {
        fields.push({ field: `[${index}]`, errors: ['each record must be an object'] });
        return;
      }
      const unknown = Object.keys(item).filter((key) => !known.has(key));
      for (const key of unknown) ignored?.add(key);
      if (unknown.length === Object.keys(item).length) {
        fields.push(this.noKnownField(index, unknown));
        return;
      }
      const instance = plainToInstance(this.cls, item);
      const errors = validateSync(instance, {
        whitelist: true,
        forbidUnknownValues: true,
        validationError: { target: true, value: true },
      });
      if (errors.length > 0) fields.push(...flattenValidationErrors(errors, `[${index}]`));
      out.push(instance);
    });
    if (fields.length > 0) throw new ValidationFailedException(fields);
    return out;
  }
}

function isEmpty(object: Record<string, unknown>): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return false;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
