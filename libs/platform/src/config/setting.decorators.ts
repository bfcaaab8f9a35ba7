import { applyDecorators } from '@nestjs/common';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { EnvBoolean, EnvDuration, EnvList, EnvNumber } from './env.decorators';

/**
 * The validation stacks the config classes repeat, each under one name. The parts are listed
 * top-down as they would be written above a field and applied bottom-up as such a stack is,
 * so the rules (and the order of their messages in a start-up error) stay the same.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators.reverse());
}

/** An integer read from the environment, at least `min` (and at most `max` when given). */
export function IntSetting(min: number, max?: number): PropertyDecorator {
  return stacked(EnvNumber(), IsInt(), Min(min), ...(max === undefined ? [] : [Max(max)]));
}

/**
 * A duration such as `10s` or `5m` (a bare number is in seconds), kept in milliseconds; `min`
 * and `max` are in milliseconds. `example` is shown in the error of an unreadable value.
 */
export function DurationSetting(example: string, min: number, max?: number): PropertyDecorator {
  return stacked(
    EnvDuration('s'),
    IsInt({ message: `$property must be a duration such as ${example}` }),
    Min(min),
    ...(max === undefined ? [] : [Max(max)]),
  );
}

/** `true`/`false` (also 1/0, yes/no, on/off). */
export function FlagSetting(): PropertyDecorator {
  return stacked(EnvBoolean(), IsBoolean());
}

/** A comma-separated list; `rules` check its items (with `{ each: true }`) or the list. */
export function ListSetting(...rules: PropertyDecorator[]): PropertyDecorator {
  return stacked(EnvList(), IsArray(), ...rules);
}

/** Optional free text. */
export function OptionalTextSetting(): PropertyDecorator {
  return stacked(IsOptional(), IsString());
}

/** An optional secret of at least `minLength` characters (at most `maxLength` when given). */
export function SecretSetting(minLength: number, maxLength?: number): PropertyDecorator {
  return stacked(
    IsOptional(),
    IsString(),
    MinLength(minLength),
    ...(maxLength === undefined ? [] : [MaxLength(maxLength)]),
  );
}

/** An optional http(s) URL; a host without a top-level domain (a Service name) is fine. */
export function UrlSetting(): PropertyDecorator {
  return stacked(
    IsOptional(),
    IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }),
  );
}
