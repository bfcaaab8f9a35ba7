import { getMetadataStorage, IS_OPTIONAL, ValidationTypes } from 'class-validator';
import { toConstraint, type DtoConstraint } from './dto-constraint';

export interface DtoProperty {
  name: string;
  optional: boolean;
  /** Every rule, in class-validator's order. */
  rules: DtoConstraint[];
  /** Rules checked by a standard JSON Schema keyword. */
  standard: DtoConstraint[];
  /** Rules without an exact keyword: checked by class-validator's own function (see below). */
  custom: DtoConstraint[];
  /** The numeric bound of each min/max/length/size rule, for messages naming the range. */
  bounds: Map<string, number>;
  /** Names the property in CLASS_VALIDATOR_KEYWORD when it has custom rules. */
  id?: string;
}

/** The keyword under which the rules without a JSON Schema equivalent are named. */
export const CLASS_VALIDATOR_KEYWORD = 'x-class-validator';

type JsonSchema = Record<string, unknown>;

/** Type rules and the JSON Schema type each is exactly equivalent to on a JSON value. */
const TYPES: Record<string, string> = {
  isString: 'string',
  isInt: 'integer',
  isBoolean: 'boolean',
  isArray: 'array',
};

/** Where a rule that has no keyword of its own stands in OpenAPI (documentation only). */
const DOC_HINTS: Record<string, (c: unknown[]) => JsonSchema> = {
  isUuid: () => ({ type: 'string', format: 'uuid' }),
  isIso8601: () => ({ type: 'string', format: 'date-time' }),
  isBase64: () => ({ type: 'string', format: 'byte' }),
  matches: (c) => ({ type: 'string', pattern: c[0] instanceof RegExp ? c[0].source : c[0] }),
  minLength: (c) => ({ type: 'string', minLength: c[0] }),
  maxLength: (c) => ({ type: 'string', maxLength: c[0] }),
};

const BOUND_RULES = ['min', 'max', 'minLength', 'maxLength', 'arrayMinSize', 'arrayMaxSize'];

/**
 * A DTO's class-validator rules as JSON Schema, generated once from class-validator's public
 * metadata API, for Fastify route schemas (validated by Fastify's ajv) and the OpenAPI entries
 * of the same routes. Types, numeric bounds, enumerations and array sizes become the standard
 * keywords, exactly equivalent on parsed JSON. Rules with no exact keyword (UUIDs, ISO 8601
 * times, patterns, lengths: validator.js counts length its own way) are named under
 * CLASS_VALIDATOR_KEYWORD and checked by class-validator's own function for the rule; the
 * OpenAPI rendering shows them as the nearest standard keyword (format, pattern, maxLength).
 *
 * `of` returns undefined for a class using what a schema of plain JSON cannot express as
 * class-validator applies it (nested or async validation, groups, conditions other than
 * @IsOptional, field defaults); callers then use class-validator itself.
 */
export class DtoSchema {
  private static readonly cache = new Map<new () => object, DtoSchema | null>();
  private static readonly byId = new Map<string, DtoProperty>();
  private static nextId = 0;

  readonly known: ReadonlySet<string>;
  private readonly byName: Map<string, DtoProperty>;

  private constructor(
    readonly cls: new () => object,
    readonly properties: DtoProperty[],
  ) {
    this.known = new Set(properties.map((p) => p.name));
    this.byName = new Map(properties.map((p) => [p.name, p]));
    for (const property of properties) {
      if (property.custom.length === 0) continue;
      property.id = `${cls.name}.${property.name}#${DtoSchema.nextId++}`;
      DtoSchema.byId.set(property.id, property);
    }
  }

  static of(cls: new () => object): DtoSchema | undefined {
    let schema = DtoSchema.cache.get(cls);
    if (schema === undefined) {
      schema = DtoSchema.build(cls) ?? null;
      DtoSchema.cache.set(cls, schema);
    }
    return schema ?? undefined;
  }

  /** A property named by the schema keyword (see `record`). */
  static propertyById(id: string): DtoProperty | undefined {
    return DtoSchema.byId.get(id);
  }

  property(name: string): DtoProperty | undefined {
    return this.byName.get(name);
  }

  /** The JSON Schema one record is validated with. */
  record(): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const property of this.properties) {
      const schema: JsonSchema = {};
      for (const rule of property.standard) Object.assign(schema, standardKeyword(rule, schema));
      if (property.optional) nullable(schema);
      else if (isRequired(property)) required.push(property.name);
      if (property.id) schema[CLASS_VALIDATOR_KEYWORD] = property.id;
      properties[property.name] = schema;
    }
    return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
  }

  /** The same schema for OpenAPI: every rule as its standard keyword, none named by id. */
  openApi(): JsonSchema {
    const record = this.record();
    const properties = record.properties as Record<string, JsonSchema>;
    for (const property of this.properties) {
      const schema = properties[property.name];
      delete schema[CLASS_VALIDATOR_KEYWORD];
      if (Array.isArray(schema.type)) {
        // OpenAPI 3.0 says `nullable`, not a list of types.
        schema.type = (schema.type as string[]).find((t) => t !== 'null');
        schema.nullable = true;
      }
      if (Array.isArray(schema.enum)) schema.enum = schema.enum.filter((v) => v !== null);
      for (const rule of property.custom) {
        const hint = DOC_HINTS[rule.name]?.(rule.constraints);
        if (hint && !rule.each) Object.assign(schema, hint, { type: schema.type ?? hint.type });
      }
      if (property.optional && schema.type !== undefined) schema.nullable = true;
    }
    return record;
  }

  private static build(cls: new () => object): DtoSchema | undefined {
    const storage = getMetadataStorage();
    // The arguments validateSync's executor uses without groups or `always`.
    const metadatas = storage.getTargetValidationMetadatas(
      cls,
      undefined as unknown as string,
      false,
      false,
      undefined,
    );
    if (metadatas.length === 0) return undefined;
    if (Object.values(new cls()).some((value) => value !== undefined)) return undefined;
    const properties: DtoProperty[] = [];
    for (const [name, list] of Object.entries(storage.groupByPropertyName(metadatas))) {
      const property: DtoProperty = {
        name,
        optional: false,
        rules: [],
        standard: [],
        custom: [],
        bounds: new Map(),
      };
      for (const metadata of list) {
        if (metadata.groups?.length || metadata.always !== undefined || metadata.validateIf) {
          return undefined;
        }
        if (metadata.type === ValidationTypes.WHITELIST) continue;
        if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
          if (metadata.name !== IS_OPTIONAL) return undefined;
          property.optional = true;
          continue;
        }
        // Nested, promise and @IsDefined validation follow class-validator's own paths.
        if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION) return undefined;
        for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
          if (constraint.async) return undefined;
          property.rules.push(toConstraint(metadata, constraint.name, constraint.instance));
        }
      }
      sortRules(property);
      properties.push(property);
    }
    return new DtoSchema(cls, properties);
  }
}

/**
 * Moves to `custom` every rule of a property without an exactly equivalent keyword, and
 * records the bounds. A bound is a standard keyword only beside a type rule of its kind
 * (JSON Schema's `minimum` ignores a string, class-validator's `min` refuses it).
 */
function sortRules(property: DtoProperty): void {
  const rules = property.rules;
  const numericType = (rule: DtoConstraint) =>
    !rule.each && (rule.name === 'isInt' || (rule.name === 'isNumber' && exactNumber(rule)));
  const numeric = rules.some(numericType);
  const array = rules.some((r) => !r.each && r.name === 'isArray');
  const standard: DtoConstraint[] = [];
  let typed: DtoConstraint | undefined;
  for (const rule of rules) {
    if (BOUND_RULES.includes(rule.name) && typeof rule.constraints[0] === 'number') {
      property.bounds.set(rule.name, rule.constraints[0]);
    }
    const isType = !rule.each && (rule.name in TYPES || numericType(rule));
    // One `type` holds one kind (isNumber with isInt is `integer`); a second kind is checked
    // by its function.
    const fitsType = !typed || (numericType(typed) && numericType(rule));
    const exact = isType
      ? fitsType
      : !rule.each &&
        (((rule.name === 'min' || rule.name === 'max') && numeric && isNumberBound(rule)) ||
          ((rule.name === 'arrayMinSize' || rule.name === 'arrayMaxSize') && array) ||
          (rule.name === 'isIn' && isPrimitiveList(rule.constraints[0])));
    if (exact && isType) typed = rule;
    (exact ? standard : property.custom).push(rule);
  }
  property.standard = standard;
}

/** isNumber without options JSON cannot carry (NaN and Infinity are not JSON numbers). */
function exactNumber(rule: DtoConstraint): boolean {
  const options = (rule.constraints[0] ?? {}) as Record<string, unknown>;
  return (
    options.allowInfinity !== true &&
    options.maxDecimalPlaces === undefined &&
    Object.keys(options).every((key) => key === 'allowNaN' || key === 'allowInfinity')
  );
}

function isNumberBound(rule: DtoConstraint): boolean {
  return typeof rule.constraints[0] === 'number' && Number.isFinite(rule.constraints[0]);
}

function isPrimitiveList(value: unknown): value is unknown[] {
  return (
    Array.isArray(value) &&
    value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
  );
}

function standardKeyword(rule: DtoConstraint, schema: JsonSchema): JsonSchema {
  const bound = rule.constraints[0];
  switch (rule.name) {
    case 'isNumber':
      return { type: schema.type === 'integer' ? 'integer' : 'number' };
    case 'isInt':
      return { type: 'integer' };
    case 'min':
      return { minimum: bound };
    case 'max':
      return { maximum: bound };
    case 'arrayMinSize':
      return { minItems: bound };
    case 'arrayMaxSize':
      return { maxItems: bound };
    case 'isIn':
      return { enum: [...(bound as unknown[])] };
    default:
      return { type: TYPES[rule.name] };
  }
}

/** @IsOptional: null is accepted as absent. */
function nullable(schema: JsonSchema): void {
  if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  if (Array.isArray(schema.enum)) schema.enum = [...(schema.enum as unknown[]), null];
}

/** Whether leaving the property out breaks a rule (every rule of ours refuses undefined). */
function isRequired(property: DtoProperty): boolean {
  const args = { value: undefined, property: property.name, targetName: '', object: {} };
  return property.rules.some(
    (rule) => !rule.check(undefined, { ...args, constraints: rule.constraints }),
  );
}
