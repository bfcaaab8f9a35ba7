import * as fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export interface PostmasterPid {
  pid: number;
  port: number;
  status: string;
}

// initdb plus a first start can take a while on a slow disk; a second manager waits that long.
const LOCK_DEADLINE_MS = 120_000;

/** postmaster.pid lines: pid, data dir, start time, port, socket dir, listen address, shm key, status. */
export function readPostmasterPid(file: string): PostmasterPid | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, port: 0, status: 'invalid' };
  const port = Number.parseInt(lines[3] ?? '', 10);
  return { pid, port: Number.isInteger(port) ? port : 0, status: (lines[7] ?? '').trim() };
}

export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A child of ours that exited but was not reaped yet is a zombie: as good as gone.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Guards against pid reuse: the process must be a postgres serving exactly this data dir. The
 * postmaster's working directory is its data dir, whatever path form it was started with.
 */
export function isOurPostmaster(pid: number, dataDir: string): boolean {
  let comm: string;
  try {
    comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    // Without /proc we cannot tell; trusting the pid file is the better guess.
    return true;
  }
  if (comm !== 'postgres') return false;
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`) === fs.realpathSync(dataDir);
  } catch {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir);
    } catch {
      return false;
    }
  }
}

/** Fast shutdown (SIGINT: roll back open transactions, checkpoint, exit); false if it stays. */
export async function stopPostmaster(pid: number, deadlineMs = 15_000): Promise<boolean> {
  try {
    process.kill(pid, 'SIGINT');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
  const deadline = Date.now() + deadlineMs;
  while (isAlive(pid) && Date.now() < deadline) await delay(50);
  return !isAlive(pid);
}

/** A cross-process lock: a file created exclusively, holding the owner's pid. */
export async function withLockFile<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_DEADLINE_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (isStaleLock(lockPath)) {
      fs.rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lockPath}`);
    await delay(100);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

function isStaleLock(lockPath: string): boolean {
  try {
    const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
    const ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
    // An empty file is a writer caught between create and write; give it a moment.
    if (!Number.isInteger(holder)) return ageMs > 5_000;
    return !isAlive(holder) || ageMs > LOCK_DEADLINE_MS;
  } catch {
    return false;
  }
}
