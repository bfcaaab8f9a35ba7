import { BadRequestException } from '@nestjs/common';
import type { ErrorObject } from 'ajv';
import type { ValidationArguments } from 'class-validator';
import type { DtoSchema } from './dto-schema';
import { errorBody, type FieldError } from './error-body';
import { describeField } from './field-messages';
import { ruleHolds } from './schema-ajv';
import { ValidationFailedException } from './validation-failed.exception';

export interface BatchBodyOptions {
  /** Accept a bare object as a batch of one. */
  allowSingle: boolean;
  maxItems: number;
}

type JsonSchema = Record<string, unknown>;

/**
 * A body that is one record or an array of records of a DTO, as JSON Schema: what a route
 * validates with (a lone record is wrapped into a batch of one first, see `wrap`), what /docs
 * shows, and the answers to what the schema refuses, named field by field with the messages
 * class-validator gives (see describeField). A batch is all-or-nothing: one bad item refuses the
 * request, naming the item and field (`[3].cpu_usage`). Unknown fields are dropped and their
 * names reported; a record with no known field is refused.
 */
export class BatchSchema<T extends object> {
  constructor(
    readonly dto: DtoSchema,
    readonly options: BatchBodyOptions,
  ) {}

  /** What the route validates: always an array (see `wrap`). */
  body(): JsonSchema {
    return {
      type: 'array',
      minItems: 1,
      maxItems: this.options.maxItems,
      items: this.dto.record(),
    };
  }

  /** The request body in OpenAPI, the record given as `record` (a `$ref`). */
  openApi(record: JsonSchema): JsonSchema {
    const batch = { type: 'array', items: record, minItems: 1, maxItems: this.options.maxItems };
    return this.options.allowSingle ? { oneOf: [record, batch] } : batch;
  }

  /** A lone record becomes a batch of one, where the route accepts one. */
  wrap(body: unknown): unknown {
    return this.options.allowSingle && isPlainObject(body) ? [body] : body;
  }

  /**
   * The records of a body the schema accepted, with unknown fields deleted and their names
   * added to `ignored`. A record left with no field is refused.
   */
  accept(records: Record<string, unknown>[], ignored?: Set<string>): T[] {
    const known = this.dto.known;
    let empty: FieldError[] | undefined;
    for (let index = 0; index < records.length; index++) {
      const record = records[index];
      let removed: string[] | undefined;
      for (const key of Object.keys(record)) {
        if (!known.has(key)) {
          delete record[key];
          (removed ??= []).push(key);
          ignored?.add(key);
        }
      }
      if (!hasOwnKey(record)) (empty ??= []).push(this.noKnownField(index, removed ?? []));
    }
    if (empty) throw new ValidationFailedException(empty);
    return records as T[];
  }

  /** The 400 for a body the schema refused (`errors` are ajv's, `body` the wrapped body). */
  refusal(errors: readonly ErrorObject[], body: unknown): BadRequestException {
    const shape = this.shapeError(errors, body);
    if (shape) return new BadRequestException(errorBody(400, shape));
    const items = body as unknown[];
    // Offending properties of each item, in the order class-validator reports them.
    const offending = new Map<number, Set<string>>();
    for (const error of errors) {
      const [index, property] = error.instancePath.split('/').slice(1);
      const name =
        error.keyword === 'required' && property === undefined
          ? (error.params as { missingProperty: string }).missingProperty
          : property;
      const at = Number(index);
      if (!offending.has(at)) offending.set(at, new Set());
      if (name !== undefined) offending.get(at)!.add(name);
    }
    const fields: FieldError[] = [];
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      const names = offending.get(index);
      if (!isPlainObject(item)) {
        if (names) fields.push({ field: `[${index}]`, errors: ['each record must be an object'] });
      } else if (!Object.keys(item).some((key) => this.dto.known.has(key))) {
        fields.push(this.noKnownField(index, Object.keys(item)));
      } else if (names) {
        for (const property of this.dto.properties) {
          if (names.has(property.name)) fields.push(this.fieldError(index, item, property.name));
        }
      }
    }
    return new ValidationFailedException(fields);
  }

  private shapeError(errors: readonly ErrorObject[], body: unknown): string | undefined {
    const root = errors.find((error) => error.instancePath === '');
    if (!root) return undefined;
    if (root.keyword === 'minItems') return 'Request body must hold at least one record';
    if (root.keyword === 'maxItems') {
      const count = (body as unknown[]).length;
      return `A batch holds at most ${this.options.maxItems} records (got ${count})`;
    }
    return `Request body must be ${this.options.allowSingle ? 'an object or an array of objects' : 'an array'}`;
  }

  /** Every rule of the property the value breaks, as class-validator names and words it. */
  private fieldError(index: number, item: Record<string, unknown>, name: string): FieldError {
    const property = this.dto.property(name)!;
    const value = item[name];
    const args: ValidationArguments = {
      targetName: this.dto.cls.name,
      property: name,
      object: item,
      value,
      constraints: [],
    };
    const broken: Record<string, string> = {};
    for (const rule of property.rules) {
      if (!ruleHolds(rule, value, args)) broken[rule.name] = rule.message(args);
    }
    return {
      field: `[${index}].${name}`,
      errors: describeField(name, value === undefined, broken, () => property.bounds),
    };
  }

  /**
   * A record without one known field would be stored as an all-null record, hiding the client's
   * mistake (a misspelt field name): it is refused, naming the fields it could carry.
   */
  private noKnownField(index: number, unknown: string[]): FieldError {
    const names = unknown.length > 0 ? `; ignored: ${unknown.slice(0, 10).join(', ')}` : '';
    const expected = [...this.dto.known].join(', ');
    return {
      field: `[${index}]`,
      errors: [`the record holds none of the known fields (${expected})${names}`],
    };
  }
}

function hasOwnKey(object: Record<string, unknown>): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
