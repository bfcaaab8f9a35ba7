/**
 * Parsers of the Linux files the collectors read, kept pure so each can be tested on a sample.
 */

export interface MemInfo {
  total: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

/** /proc/meminfo (kB values) in bytes; undefined when a needed line is missing. */
export function parseMeminfo(text: string): MemInfo | undefined {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?: kB)?$/.exec(line.trim());
    if (match) kb.set(match[1], Number(match[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  if (total === undefined) return undefined;
  // Kernels before 3.14 have no MemAvailable: free plus page cache is the old estimate.
  const available =
    kb.get('MemAvailable') ??
    (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return {
    total,
    available: Math.min(available, total),
    swapTotal: kb.get('SwapTotal') ?? 0,
    swapFree: kb.get('SwapFree') ?? 0,
  };
}

/** /proc/net/dev: received and sent bytes summed over every interface but loopback. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (fields.length < 9 || fields.some((n) => !Number.isFinite(n))) continue;
    rx += fields[0];
    tx += fields[8];
  }
  return { rx, tx };
}

export interface Mount {
  source: string;
  target: string;
  fstype: string;
}

/** Filesystems that hold no user data (kernel views, memory, containers' layers). */
const VIRTUAL_FS = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'tmpfs',
  'ramfs',
  'cgroup',
  'cgroup2',
  'securityfs',
  'pstore',
  'bpf',
  'debugfs',
  'tracefs',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'rpc_pipefs',
  'nsfs',
  'efivarfs',
  'squashfs',
  'overlay',
  'fuse.lxcfs',
  'fuse.portal',
  'fuse.gvfsd-fuse',
  'nfsd',
  'selinuxfs',
  'iso9660',
  'shm',
]);

/** /proc/mounts: the filesystems worth measuring (always the root, then real devices). */
export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const [source, target, fstype] = line.split(' ');
    if (!source || !target || !fstype) continue;
    const path = target.replace(/\\040/g, ' ');
    if (path !== '/' && (VIRTUAL_FS.has(fstype) || !source.startsWith('/'))) continue;
    if (path.startsWith('/proc') || path.startsWith('/sys') || path.startsWith('/snap/')) continue;
    mounts.push({ source, target: path, fstype });
  }
  return mounts;
}

export interface ProcStat {
  pid: number;
  name: string;
  /** utime + stime, in clock ticks. */
  ticks: number;
  rssPages: number;
}

/** /proc/<pid>/stat; the name sits in parentheses and may itself hold spaces and ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15, rss field 24.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = Number(fields[21]);
  if (!Number.isInteger(pid) || [utime, stime, rss].some((n) => !Number.isFinite(n))) {
    return undefined;
  }
  return { pid, name: text.slice(open + 1, close), ticks: utime + stime, rssPages: rss };
}

/** A thermal or hwmon reading in millidegrees Celsius, as °C. */
export function parseMilliCelsius(text: string): number | undefined {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) return undefined;
  const celsius = value / 1000;
  // Sensors that are not wired report nonsense such as -273 or 0.
  return celsius > 0 && celsius < 150 ? Math.round(celsius * 10) / 10 : undefined;
}

export interface UtmpEntry {
  type: number;
  pid: number;
  line: string;
  user: string;
  host: string;
  /** Seconds since the epoch. */
  time: number;
}

/** utmp's USER_PROCESS: a logged-in session. */
export const UTMP_USER_PROCESS = 7;
/** struct utmp on Linux (glibc, 64-bit and 32-bit alike). */
const UTMP_SIZE = 384;

/** /run/utmp: the sessions it records. */
export function parseUtmp(data: Buffer): UtmpEntry[] {
  const entries: UtmpEntry[] = [];
  const text = (start: number, length: number): string => {
    const raw = data.subarray(start, start + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
  };
  for (let at = 0; at + UTMP_SIZE <= data.length; at += UTMP_SIZE) {
    entries.push({
      type: data.readInt16LE(at),
      pid: data.readInt32LE(at + 4),
      line: text(at + 8, 32),
      user: text(at + 44, 32),
      host: text(at + 76, 256),
      time: data.readInt32LE(at + 340),
    });
  }
  return entries;
}
