import { Transform } from 'class-transformer';
import { parseDuration } from './duration';

/** Environment values arrive as strings; anything else is passed through for the validator. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Environment values are strings; these transforms turn them into typed values before
 * validation. A value that does not parse becomes NaN or the raw string, so the validator
 * refuses it and names the variable, rather than silently falling back to a default.
 */
export function EnvBoolean(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'boolean' || value === undefined) return value;
    const text = asText(value).trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    return value;
  });
}

export function EnvNumber(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'number' || value === undefined) return value;
    const text = asText(value).trim();
    return text === '' ? Number.NaN : Number(text);
  });
}

/** Reads a duration (see parseDuration) and stores it in milliseconds. */
export function EnvDuration(defaultUnit: 'ms' | 's' | 'm' | 'h' | 'd' = 's'): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'number' || value === undefined) return value;
    return parseDuration(asText(value), defaultUnit);
  });
}

/** A comma-separated list; blanks dropped. */
export function EnvList(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (Array.isArray(value) || value === undefined) return value;
    return asText(value)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  });
}
