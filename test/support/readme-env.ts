import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root';

const README = join(REPO_ROOT, 'README.md');

/** Variables named in the first column of the README's tables. */
function documentedVariables(): Set<string> {
  const names = new Set<string>();
  for (const line of readFileSync(README, 'utf8').split('\n')) {
    if (!line.startsWith('| `')) continue;
    for (const match of line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]);
  }
  return names;
}

/** Every validated variable of a config class that has no row in the README. */
export function undocumentedVariables(config: new () => object): string[] {
  const documented = documentedVariables();
  const variables = getMetadataStorage()
    .getTargetValidationMetadatas(config, '', true, false)
    .map((metadata) => metadata.propertyName);
  return [...new Set(variables)].filter((name) => !documented.has(name)).sort();
}
