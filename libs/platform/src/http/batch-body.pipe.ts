import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { BatchSchema, isPlainObject, type BatchBodyOptions } from './batch-schema';
import { DtoSchema } from './dto-schema';
import { errorBody } from './error-body';
import type { FieldError } from './error-body';
import { createSchemaAjv } from './schema-ajv';
import { flattenValidationErrors, ValidationFailedException } from './validation-failed.exception';

export type { BatchBodyOptions } from './batch-schema';

let sharedAjv: Ajv | undefined;

/**
 * Validates a body that is one record or an array of records with the same class-validator
 * rules as the global pipe (which skips arrays), for Nest routes. A batch is all-or-nothing: one
 * bad item refuses the request, naming the item and field (`[3].cpu_usage`).
 *
 * Batches are validated at high rates (the mentor's ingest), so the DTO's rules are checked as
 * its JSON Schema (DtoSchema, BatchSchema), compiled once by ajv like a Fastify route schema; a
 * DTO the schema cannot express (nested records) goes through class-transformer and
 * class-validator.
 */
@Injectable()
export class BatchBodyPipe<T extends object> implements PipeTransform<unknown, T[]> {
  private compiled?: { schema: BatchSchema<T>; validate: ValidateFunction } | null;
  private known?: ReadonlySet<string>;

  constructor(
    private readonly cls: new () => T,
    private readonly options: BatchBodyOptions,
  ) {}

  transform(body: unknown): T[] {
    const compiled = this.compile();
    if (!compiled) return this.validateWithDetails(this.itemsOf(body));
    return this.valid(compiled, body).map((item) => Object.assign(new this.cls(), item));
  }

  /**
   * What transform checks and answers, except that accepted records come back as the parsed
   * JSON objects themselves (unknown fields deleted) rather than as class instances: for hot
   * paths that only read the fields. The names of the unknown fields are added to `ignored`, so
   * the answer can show a client the names it misspelt.
   */
  records(body: unknown, ignored?: Set<string>): T[] {
    const compiled = this.compile();
    if (!compiled) return this.validateWithDetails(this.itemsOf(body), ignored);
    return this.valid(compiled, body, ignored);
  }

  private compile(): { schema: BatchSchema<T>; validate: ValidateFunction } | undefined {
    // Compiled on first use, once every decorator of the class has run.
    if (this.compiled === undefined) {
      const dto = DtoSchema.of(this.cls);
      if (dto) {
        const schema = new BatchSchema<T>(dto, this.options);
        sharedAjv ??= createSchemaAjv();
        this.compiled = { schema, validate: sharedAjv.compile(schema.body()) };
      } else {
        this.compiled = null;
      }
    }
    return this.compiled ?? undefined;
  }

  private valid(
    { schema, validate }: { schema: BatchSchema<T>; validate: ValidateFunction },
    body: unknown,
    ignored?: Set<string>,
  ): T[] {
    const wrapped = schema.wrap(body);
    if (!validate(wrapped)) throw schema.refusal(validate.errors ?? [], wrapped);
    return schema.accept(wrapped as Record<string, unknown>[], ignored);
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
