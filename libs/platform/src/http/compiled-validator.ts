import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import { createRequire } from 'node:module';

/** What the rules of one property need at run time. */
interface PropertyRule {
  name: string;
  /** @IsOptional / @ValidateIf: the property is checked only when every condition holds. */
  conditions: ((object: object, value: unknown) => boolean)[];
  checks: Check[];
}

interface Check {
  constraints: unknown[];
  each: boolean;
  validateIf?: (object: object, value: unknown) => boolean;
  validate: (value: unknown, args: ValidationArguments) => unknown;
}

/** The parts of class-transformer's metadata storage consulted here. */
interface TransformerStorage {
  findTypeMetadata(target: object, property: string): unknown;
  findTransformMetadatas(target: object, property: string, type: number): unknown[];
  getExposedMetadatas(target: object): unknown[];
  getExcludedMetadatas(target: object): unknown[];
}

/** class-transformer keeps its decorators' metadata in a module it does not re-export. */
const transformerStorage = (
  createRequire(__filename)('class-transformer/cjs/storage') as {
    defaultMetadataStorage: TransformerStorage;
  }
).defaultMetadataStorage;

/** class-transformer's TransformationType.PLAIN_TO_CLASS. */
const PLAIN_TO_CLASS = 0;

/**
 * A DTO's class-validator rules, compiled once into a plain loop, for bodies validated at high
 * rates (telemetry batches). `plainToInstance` + `validateSync` look up and group the
 * metadata, build an instance and a ValidationError tree for every record, most of the
 * Devices service's CPU per batched record; this calls the very same constraint functions
 * (class-validator's own `validate` of each decorator, found in its metadata) in a
 * precomputed order, so the verdict is class-validator's by construction, not a second copy of
 * the rules. It mirrors `validateSync` with `whitelist: true, forbidUnknownValues: true` on the
 * result of `plainToInstance`: unknown properties are deleted, conditions (@IsOptional,
 * @ValidateIf) gate the other rules, every rule must hold.
 *
 * It only answers valid or invalid; the error details of a refused body still come from
 * class-validator. `compile` returns undefined for a class using anything it does not mirror
 * exactly (nested or async validation, groups, class-transformer decorators, field defaults),
 * and callers then use class-validator itself.
 */
export class CompiledValidator {
  private constructor(
    private readonly targetName: string,
    private readonly known: ReadonlySet<string>,
    private readonly rules: PropertyRule[],
  ) {}

  static compile(cls: new () => object): CompiledValidator | undefined {
    const storage = getMetadataStorage();
    // The arguments validateSync's executor uses without groups or `always`.
    const metadatas = storage.getTargetValidationMetadatas(
      cls,
      undefined as unknown as string,
      false,
      false,
      undefined,
    );
    // No rules at all is an "unknown value" for forbidUnknownValues: leave that to class-validator.
    if (metadatas.length === 0) return undefined;
    if (Object.values(new cls()).some((value) => value !== undefined)) return undefined;
    if (
      transformerStorage.getExposedMetadatas(cls).length > 0 ||
      transformerStorage.getExcludedMetadatas(cls).length > 0
    )
      return undefined;

    const grouped = storage.groupByPropertyName(metadatas);
    const rules: PropertyRule[] = [];
    for (const [name, list] of Object.entries(grouped)) {
      if (
        transformerStorage.findTypeMetadata(cls, name) !== undefined ||
        transformerStorage.findTransformMetadatas(cls, name, PLAIN_TO_CLASS).length > 0
      )
        return undefined;
      const rule: PropertyRule = { name, conditions: [], checks: [] };
      for (const metadata of list) {
        if (metadata.groups?.length || metadata.always !== undefined) return undefined;
        switch (metadata.type) {
          case ValidationTypes.WHITELIST:
            break;
          case ValidationTypes.CONDITIONAL_VALIDATION:
            rule.conditions.push(
              metadata.constraints[0] as (object: object, value: unknown) => boolean,
            );
            break;
          case ValidationTypes.CUSTOM_VALIDATION:
          case ValidationTypes.IS_DEFINED:
            for (const constraint of storage.getTargetValidatorConstraints(
              metadata.constraintCls,
            )) {
              if (constraint.async) return undefined;
              const instance = constraint.instance as {
                validate(value: unknown, args: ValidationArguments): unknown;
              };
              rule.checks.push({
                constraints: metadata.constraints,
                each: metadata.each,
                validateIf: metadata.validateIf,
                validate: (value, args) => instance.validate(value, args),
              });
            }
            break;
          default:
            // Nested and promise validation need class-transformer's instances.
            return undefined;
        }
      }
      rules.push(rule);
    }
    return new CompiledValidator(cls.name, new Set(Object.keys(grouped)), rules);
  }

  /**
   * Whether class-validator would accept `object` (a JSON object). Deletes its unknown
   * properties first, as the whitelist does, so an accepted object holds only DTO fields; their
   * names are added to `ignored`.
   */
  validate(object: Record<string, unknown>, ignored?: Set<string>): boolean {
    for (const key of Object.keys(object)) {
      if (!this.known.has(key)) {
        delete object[key];
        ignored?.add(key);
      }
    }
    // One arguments object per record, updated for each rule (class-validator builds one per
    // rule): the constraints read it synchronously and keep no reference to it.
    const args: ValidationArguments = {
      targetName: this.targetName,
      property: '',
      object,
      value: undefined,
      constraints: [],
    };
    for (const rule of this.rules) {
      const value = object[rule.name];
      let applies = true;
      for (const condition of rule.conditions) applies = condition(object, value) && applies;
      if (!applies) continue;
      args.property = rule.name;
      args.value = value;
      for (const check of rule.checks) {
        if (check.validateIf && !check.validateIf(object, value)) continue;
        args.constraints = check.constraints;
        if (check.each && Array.isArray(value)) {
          if (!value.every((item) => check.validate(item, args))) return false;
        } else if (!check.validate(value, args)) {
          return false;
        }
      }
    }
    return true;
  }
}
