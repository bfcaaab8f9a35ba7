import Ajv from 'ajv';
import type { DataValidateFunction, DataValidationCxt } from 'ajv/dist/types';
import type { ValidationArguments } from 'class-validator';
import type { DtoConstraint } from './dto-constraint';
import { CLASS_VALIDATOR_KEYWORD, DtoSchema } from './dto-schema';

/**
 * Options of the ajv that validates request schemas, over Fastify's defaults: JSON values are
 * never coerced ("5" is not a number, as for class-validator), every error is reported (a client
 * fixes every field in one go), and nothing is added or removed (unknown fields are dropped and
 * named by the route, see BatchSchema).
 */
export const SCHEMA_AJV_OPTIONS = {
  coerceTypes: false,
  allErrors: true,
  useDefaults: false,
  removeAdditional: false,
} as const;

/** A rule's verdict for one value, as class-validator applies it (`each` to array items). */
export function ruleHolds(rule: DtoConstraint, value: unknown, args: ValidationArguments): boolean {
  args.constraints = rule.constraints;
  return rule.each && Array.isArray(value)
    ? value.every((item) => rule.check(item, args))
    : rule.check(value, args);
}

/**
 * Adds CLASS_VALIDATOR_KEYWORD to an ajv instance (Fastify's, through its `ajv.plugins`
 * option, or the one of `createSchemaAjv`): the rules of a DTO property that have no exact JSON
 * Schema keyword, checked by class-validator's own functions.
 */
export function classValidatorKeyword(ajv: Ajv): Ajv {
  if (ajv.getKeyword(CLASS_VALIDATOR_KEYWORD)) return ajv;
  ajv.addKeyword({
    keyword: CLASS_VALIDATOR_KEYWORD,
    schemaType: 'string',
    errors: true,
    compile(id: string) {
      const property = DtoSchema.propertyById(id);
      if (!property) throw new Error(`No DTO property is named ${id}`);
      const rules = property.custom;
      const validate: DataValidateFunction = (data: unknown, context?: DataValidationCxt) => {
        if (property.optional && (data === null || data === undefined)) return true;
        const args: ValidationArguments = {
          targetName: '',
          property: property.name,
          object: (context?.parentData as object | undefined) ?? {},
          value: data,
          constraints: [],
        };
        for (const rule of rules) {
          if (!ruleHolds(rule, data, args)) {
            validate.errors = [
              {
                keyword: CLASS_VALIDATOR_KEYWORD,
                params: { rule: rule.name },
                message: `must satisfy ${rule.name}`,
              },
            ];
            return false;
          }
        }
        return true;
      };
      return validate;
    },
  });
  return ajv;
}

/** An ajv configured like Fastify's request validator, for bodies validated inside Nest pipes. */
export function createSchemaAjv(): Ajv {
  return classValidatorKeyword(new Ajv({ ...SCHEMA_AJV_OPTIONS, strict: true }));
}
