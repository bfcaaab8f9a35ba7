import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { ConfigError } from './config-error';

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|API_KEY|PRIVATE/i;

/**
 * Builds a typed, validated config object from the environment. Only the variables the class
 * declares are read (fields are own properties because class fields use define semantics),
 * defaults are the field initialisers, and any invalid variable stops start-up with its name.
 * Secret values are never echoed in the error.
 */
export function loadConfig<T extends object>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const keys = Object.keys(new cls());
  const plain: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value !== '') plain[key] = value;
  }
  const config = plainToInstance(cls, plain, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigError(errors.map((error) => describe(error, plain)));
  }
  return config;
}

function describe(error: ValidationError, plain: Record<string, string>): string {
  const name = error.property;
  const rules = Object.values(error.constraints ?? {}).join('; ');
  const raw = plain[name];
  const shown =
    raw === undefined ? 'not set' : SECRET_NAME.test(name) ? 'value hidden' : `got "${raw}"`;
  return `${name}: ${rules} (${shown})`;
}
