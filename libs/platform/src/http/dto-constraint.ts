import type { MetadataStorage, ValidationArguments } from 'class-validator';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** One class-validator rule of a property, as declared on the DTO. */
export interface DtoConstraint {
  /** The key class-validator reports it under (`isNumber`, `max`, `isPlausibleTime`...). */
  name: string;
  constraints: unknown[];
  each: boolean;
  check(value: unknown, args: ValidationArguments): boolean;
  /** class-validator's message for a refused value, tokens replaced as class-validator does. */
  message(args: ValidationArguments): string;
}

/** A rule from its class-validator metadata and the constraint class that checks it. */
export function toConstraint(
  metadata: ValidationMetadata,
  name: string,
  instance: {
    validate(value: unknown, args: ValidationArguments): unknown;
    defaultMessage?(args: ValidationArguments): string;
  },
): DtoConstraint {
  return {
    name: name || metadata.type,
    constraints: metadata.constraints ?? [],
    each: metadata.each ?? false,
    // Truthy is valid, as class-validator reads it.
    check: (value, args) => Boolean(instance.validate(value, args)),
    message: (args) => {
      const template =
        metadata.message ??
        (typeof instance.defaultMessage === 'function' ? instance.defaultMessage(args) : '');
      return replaceTokens(template, args);
    },
  };
}

/** class-validator's message tokens ($constraintN, $value, $property, $target). */
function replaceTokens(
  template: string | ((args: ValidationArguments) => string),
  args: ValidationArguments,
): string {
  let text = typeof template === 'function' ? template(args) : template;
  if (!text) return text;
  args.constraints?.forEach((constraint: unknown, index: number) => {
    const shown = Array.isArray(constraint)
      ? constraint.join(', ')
      : typeof constraint === 'symbol'
        ? String(constraint.description)
        : String(constraint);
    text = text.replace(new RegExp(`\\$constraint${index + 1}`, 'g'), shown);
  });
  const value = args.value as unknown;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    text = text.replace(/\$value/g, String(value));
  }
  return text.replace(/\$property/g, args.property).replace(/\$target/g, args.targetName);
}
