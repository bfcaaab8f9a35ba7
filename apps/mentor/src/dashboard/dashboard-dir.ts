import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Where `npm run build` puts the dashboard: `dashboard/` in the build this file was compiled
 * into (`.dist-<hash>`, which `dist` links to), so a running Mentor serves the dashboard of its
 * own build; from the TypeScript sources (tests), the current build's.
 */
export function defaultDashboardDir(from: string = __dirname): string {
  let root = from;
  while (!existsSync(join(root, 'package.json'))) {
    if (dirname(root) === root) return join(from, 'dashboard');
    root = dirname(root);
  }
  const top = relative(root, from).split(sep)[0];
  const build = top === 'dist' || top.startsWith('.dist-') ? top : 'dist';
  return join(root, build, 'dashboard');
}
