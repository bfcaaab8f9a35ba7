import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * The repository: the nearest folder above this file with a package.json. This file runs both
 * from its TypeScript source (under Jest) and compiled (dist/test/support, for the benchmarks),
 * so nothing here counts folders up from __dirname.
 */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);

/**
 * The compiled tree to spawn services and scripts from: the build this file belongs to when it
 * runs compiled (so a later build swapped in under a running benchmark does not mix), otherwise
 * the current build (`dist`, made by `npm run build`, which `npm test` runs first).
 */
export const COMPILED_ROOT = ((): string => {
  const top = relative(REPO_ROOT, __dirname).split(sep)[0];
  return top === 'dist' || top.startsWith('.dist-')
    ? join(REPO_ROOT, top)
    : join(REPO_ROOT, 'dist');
})();

/** The compiled JavaScript of a source file, by its path from the repository root. */
export function compiledFile(sourcePath: string): string {
  return join(COMPILED_ROOT, sourcePath.replace(/\.ts$/, '.js'));
}
