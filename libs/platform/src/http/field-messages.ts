import { getMetadataStorage, type ValidationError } from 'class-validator';

/** Constraints that bound a value of the right type; reported only when the type is right. */
const BOUNDS = new Set(['min', 'max', 'minLength', 'maxLength', 'arrayMinSize', 'arrayMaxSize']);

/** The bound constraints declared on a property of the class `target` was built from. */
function declaredBounds(target: object | undefined, property: string): Map<string, number> {
  const bounds = new Map<string, number>();
  if (!target) return bounds;
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(
    target.constructor,
    '',
    true,
    false,
  );
  for (const metadata of metadatas) {
    if (metadata.propertyName !== property || !metadata.name || !BOUNDS.has(metadata.name)) {
      continue;
    }
    const value = metadata.constraints?.[0] as unknown;
    if (typeof value === 'number') bounds.set(metadata.name, value);
  }
  return bounds;
}

function range(low: number | undefined, high: number | undefined, unit: string): string {
  if (low !== undefined && high !== undefined) return `between ${low} and ${high}${unit}`;
  if (low !== undefined) return `at least ${low}${unit}`;
  return `at most ${high}${unit}`;
}

/**
 * What a client reads about one refused field: that it is missing, when it is; else its wrong
 * type alone (not every rule the value would also break); else the allowed range as a whole,
 * not the one bound it crossed. Other rules keep class-validator's message (or the DTO's own).
 * Runs only for a refused request.
 */
export function fieldMessages(error: ValidationError): string[] {
  const missing = 'value' in error && error.value === undefined;
  return describeField(error.property, missing, error.constraints ?? {}, () =>
    declaredBounds(error.target, error.property),
  );
}

/**
 * The messages of one refused property from the rules it broke (class-validator's constraint
 * names and messages) and its declared bounds; shared by both ways a body is validated.
 */
export function describeField(
  property: string,
  missing: boolean,
  constraints: Record<string, string>,
  declared: () => ReadonlyMap<string, number>,
): string[] {
  const names = Object.keys(constraints);
  if (missing && !('isEmpty' in constraints)) return [`${property} is missing`];
  const other = names.filter((name) => !BOUNDS.has(name));
  if (other.length > 0) return other.map((name) => constraints[name]);
  const bounds = declared();
  const messages: string[] = [];
  if (names.some((name) => name === 'min' || name === 'max')) {
    messages.push(`${property} must be ${range(bounds.get('min'), bounds.get('max'), '')}`);
  }
  if (names.some((name) => name === 'minLength' || name === 'maxLength')) {
    const length = range(bounds.get('minLength'), bounds.get('maxLength'), ' characters');
    messages.push(`${property} must be ${length} long`);
  }
  if (names.some((name) => name === 'arrayMinSize' || name === 'arrayMaxSize')) {
    const size = range(bounds.get('arrayMinSize'), bounds.get('arrayMaxSize'), ' items');
    messages.push(`${property} must hold ${size}`);
  }
  return messages;
}
