import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ClusterHolders } from './cluster-holders';
import { isAlive, isOurPostmaster, readPostmasterPid, stopPostmaster } from './postmaster-process';

export const MARKER_FILE = 'EMBEDDED-POSTGRES-LOCATION.txt';
export const RELOCATED_ROOT = '/var/tmp/raqeem-data';
const OWNER_FILE = 'owner.json';

/**
 * As root, PostgreSQL runs as the `postgres` user; when that user cannot reach the requested
 * folder (a checkout under /root), the cluster lives in RELOCATED_ROOT/<id>/pg instead. The
 * requested folder keeps a marker naming it and the relocated folder names its owner, so the
 * cluster lives exactly as long as the requested folder: a deleted DATA_DIR has no marker, gets
 * a fresh cluster, and the orphan is removed at the next start.
 */
export function markedRelocation(requested: string): string | undefined {
  try {
    const first = fs.readFileSync(path.join(requested, MARKER_FILE), 'utf8').split('\n')[0];
    return first?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Picks a new relocated folder and records it in the marker before anything exists there. */
export function createRelocation(requested: string): string {
  const id = `${hashOf(requested)}-${randomBytes(6).toString('hex')}`;
  const home = path.join(RELOCATED_ROOT, id);
  const clusterDir = path.join(home, 'pg');
  fs.mkdirSync(requested, { recursive: true });
  // Marker first: a concurrent clean-up must never see a relocated folder nobody names.
  fs.writeFileSync(
    path.join(requested, MARKER_FILE),
    `${clusterDir}\n\nThe embedded PostgreSQL cluster for this folder lives in the path above,\n` +
      `because the 'postgres' OS user cannot reach this folder. Delete this folder and the next\n` +
      `start creates a new cluster and removes that one. Its log is postgres.log here.\n`,
  );
  fs.mkdirSync(RELOCATED_ROOT, { recursive: true });
  fs.chmodSync(RELOCATED_ROOT, 0o755);
  fs.mkdirSync(home, { mode: 0o755 });
  fs.chmodSync(home, 0o755);
  fs.writeFileSync(path.join(home, OWNER_FILE), JSON.stringify({ dataDir: requested }) + '\n');
  return clusterDir;
}

/** Where the processes using a relocated cluster register (see ClusterHolders). */
export function relocatedHoldersDir(clusterDir: string): string {
  return path.join(path.dirname(clusterDir), 'holders');
}

/**
 * Removes relocated clusters whose requested folder no longer names them (deleted, or reset to
 * a newer cluster). A postmaster still running there is stopped first unless a live process
 * holds it. Folders of other checkouts that are still in use are left alone. Returns the
 * folders removed.
 */
export async function removeOrphanedRelocations(requested: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = fs.readdirSync(RELOCATED_ROOT);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const home = path.join(RELOCATED_ROOT, entry);
    const owner = readOwner(home);
    let clusterDir: string;
    if (owner) {
      clusterDir = path.join(home, 'pg');
      if (markedRelocation(owner) === clusterDir) continue;
    } else if (entry === hashOf(requested) && fs.existsSync(path.join(home, 'PG_VERSION'))) {
      // The earlier layout: the cluster itself at RELOCATED_ROOT/<hash of the requested path>.
      clusterDir = home;
      if (markedRelocation(requested) === clusterDir) continue;
    } else {
      continue;
    }
    const running = readPostmasterPid(path.join(clusterDir, 'postmaster.pid'));
    if (running && isAlive(running.pid) && isOurPostmaster(running.pid, clusterDir)) {
      // The earlier layout kept no holders; a service may still run on it.
      if (!owner) continue;
      if (new ClusterHolders(relocatedHoldersDir(clusterDir)).othersAlive() > 0) continue;
      if (!(await stopPostmaster(running.pid))) continue;
    }
    fs.rmSync(home, { recursive: true, force: true });
    removed.push(home);
  }
  return removed;
}

function readOwner(home: string): string | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(home, OWNER_FILE), 'utf8')) as {
      dataDir?: unknown;
    };
    return typeof parsed.dataDir === 'string' ? parsed.dataDir : undefined;
  } catch {
    return undefined;
  }
}

function hashOf(requested: string): string {
  return createHash('sha256').update(requested).digest('hex').slice(0, 16);
}
