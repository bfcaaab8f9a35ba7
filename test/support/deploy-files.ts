import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { DevicesConfig } from '../../apps/devices/src/config/devices.config';
import { MentorConfig } from '../../apps/mentor/src/config/mentor.config';
import type { KubeObject } from './kube-schema';
import { REPO_ROOT } from './repo-root';

export { REPO_ROOT } from './repo-root';

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export function readYaml<T>(...parts: string[]): T {
  return load(readFileSync(repoPath(...parts), 'utf8')) as T;
}

/** Runs a real tool; throws with its output unless it exits 0. */
export function runTool(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result;
}

/**
 * Renders an overlay with the real `kubectl kustomize`, as `kubectl apply -k` would, from a copy
 * of k8s/ whose git-ignored secrets.env is made by k8s/make-secrets.sh (as an operator does).
 */
export function renderOverlay(overlay: 'dev' | 'prod'): KubeObject[] {
  const work = mkdtempSync(join(tmpdir(), 'raqeem-k8s-'));
  try {
    cpSync(repoPath('k8s'), join(work, 'k8s'), {
      recursive: true,
      filter: (source) => !source.endsWith('secrets.env'),
    });
    runTool('sh', [join(work, 'k8s', 'make-secrets.sh'), overlay], {
      env: {
        DEVICES_DATABASE_URL: 'postgres://devices:pw@db.example.internal:5432/devices',
        MENTOR_DATABASE_URL: 'postgres://mentor:pw@db.example.internal:5432/mentor',
      },
    });
    const rendered = runTool('kubectl', ['kustomize', join(work, 'k8s', 'overlays', overlay)]);
    const objects = loadAll(rendered.stdout).filter((doc): doc is KubeObject => doc !== null);
    // kustomize wraps long base64 values at 70 columns; the API server's decoder skips the line
    // breaks, the schema's `byte` format does not, so they are joined as the server reads them.
    for (const secret of objects.filter((o) => o.kind === 'Secret')) {
      const data = (secret.data ?? {}) as Record<string, string>;
      for (const key of Object.keys(data)) data[key] = data[key].replace(/\n/g, '');
    }
    return objects;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The environment variables an app's config class reads (see loadConfig). */
export function configKeys(app: 'devices' | 'mentor'): Set<string> {
  return new Set(Object.keys(app === 'devices' ? new DevicesConfig() : new MentorConfig()));
}
