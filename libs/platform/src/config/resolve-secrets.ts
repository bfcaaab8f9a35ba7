import { resolve } from 'node:path';
import { BaseConfig } from './base.config';
import { ConfigError } from './config-error';
import { DevSecretName, loadOrCreateDevSecrets } from './dev-secrets';

/**
 * Fills secrets that the environment did not give. In production a missing secret stops
 * start-up (naming it); in development it comes from `<DATA_DIR>/secrets.json`, generated at
 * first start. Returns where the generated secrets are kept, if any were used.
 */
export function resolveSecrets<T extends BaseConfig>(
  config: T,
  names: DevSecretName[],
): string | undefined {
  const record = config as unknown as Record<string, unknown>;
  const missing = names.filter((name) => {
    const value = record[name];
    return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  });
  if (missing.length === 0) return undefined;
  if (config.isProduction) {
    throw new ConfigError(missing.map((name) => `${name}: must be set when NODE_ENV=production`));
  }
  const { secrets, path } = loadOrCreateDevSecrets(resolve(config.DATA_DIR));
  for (const name of missing) {
    record[name] = Array.isArray(record[name]) ? [secrets[name]] : secrets[name];
  }
  return path;
}
