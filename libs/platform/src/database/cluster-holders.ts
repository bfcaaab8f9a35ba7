import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The processes using one embedded cluster, one file each in a folder beside it. Several
 * processes may share a cluster (two instances of a service on one DATA_DIR, `npm run migrate`
 * beside a running service); only the last one leaving stops the postmaster. Callers hold the
 * cluster's lock file around register and release.
 */
export class ClusterHolders {
  private own?: string;

  constructor(private readonly dir: string) {}

  /** Records this process (and this cluster object) as a user of the cluster. */
  register(): void {
    if (this.own) return;
    fs.mkdirSync(this.dir, { recursive: true });
    const name = `${process.pid}-${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(path.join(this.dir, name), `${processStartTime(process.pid) ?? ''}\n`);
    this.own = name;
  }

  /** Forgets this holder and returns how many other live processes still hold the cluster. */
  release(): number {
    if (this.own) fs.rmSync(path.join(this.dir, this.own), { force: true });
    this.own = undefined;
    return this.othersAlive();
  }

  /** Live holders other than this one; the files of dead ones are removed on the way. */
  othersAlive(): number {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return 0;
    }
    let alive = 0;
    for (const name of names) {
      if (name === this.own) continue;
      const file = path.join(this.dir, name);
      if (holderAlive(name, file)) alive++;
      else fs.rmSync(file, { force: true });
    }
    return alive;
  }
}

function holderAlive(name: string, file: string): boolean {
  const pid = Number.parseInt(name, 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  let recorded: string;
  try {
    recorded = fs.readFileSync(file, 'utf8').trim();
  } catch {
    return false;
  }
  const now = processStartTime(pid);
  if (now === undefined) return pidExists(pid) && !fs.existsSync('/proc/self/stat');
  // The start time tells a holder from a later process that got the same pid.
  return recorded === '' || recorded === now;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); undefined when gone or a zombie. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}
