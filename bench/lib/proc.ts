import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run on). */
const CLK_TCK = 100;

export interface ProcessSample {
  /** CPU used over the window, in % of one core (200 % = both cores of a two-core machine). */
  cpuPercent: number;
  /** Peak resident set size in MB (VmHWM; for PostgreSQL the peak of summed VmRSS samples). */
  peakRssMb: number;
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; fields[0] here is field 3.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU (user + system) a process has used so far, in µs of CLK_TCK resolution; 0 once it is gone. */
export function cpuMicros(pid: number): number {
  return (cpuTicks(pid) * 1e6) / CLK_TCK;
}

/** Current resident set size of a process in MB. */
export function rssMb(pid: number): number {
  return statusKb(pid, 'VmRSS') / 1024;
}

/** The pid and its direct children (PostgreSQL's postmaster and its backends). */
export function withChildren(pid: number): number[] {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return pids;
}

/**
 * Watches a set of processes over one measurement window: CPU from the utime+stime deltas,
 * peak memory from VmHWM (node processes) or from the sampled sum of VmRSS (a process group
 * such as PostgreSQL, whose backends come and go; shared buffers count once per backend, so
 * this overstates PostgreSQL's real footprint).
 */
export class ProcessWatch {
  /** Per target, the first and the latest CPU ticks of every pid seen (backends come and go). */
  private readonly ticks = new Map<string, Map<number, { first: number; last: number }>>();
  private readonly peakGroupKb = new Map<string, number>();
  private startedAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly targets: Record<string, () => number[]>) {}

  start(): void {
    this.startedAt = Date.now();
    for (const [name, pids] of Object.entries(this.targets)) {
      const seen = new Map<number, { first: number; last: number }>();
      for (const pid of pids()) {
        const t = ticksOf(pid);
        seen.set(pid, { first: t, last: t });
      }
      this.ticks.set(name, seen);
      this.peakGroupKb.set(name, 0);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), 500);
    this.timer.unref();
  }

  stop(): Record<string, ProcessSample> {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const result: Record<string, ProcessSample> = {};
    for (const [name, pids] of Object.entries(this.targets)) {
      const list = pids();
      let ticks = 0;
      for (const { first, last } of this.ticks.get(name)!.values()) ticks += last - first;
      const hwm = list.length === 1 ? statusKb(list[0], 'VmHWM') : 0;
      result[name] = {
        cpuPercent: round((ticks / CLK_TCK / elapsed) * 100, 1),
        peakRssMb: round(Math.max(hwm, this.peakGroupKb.get(name) ?? 0) / 1024, 1),
      };
    }
    return result;
  }

  private sample(): void {
    for (const [name, pids] of Object.entries(this.targets)) {
      const list = pids();
      const seen = this.ticks.get(name)!;
      for (const pid of list) {
        const t = ticksOf(pid);
        const known = seen.get(pid);
        // A pid first seen now started during the window: all its ticks count.
        if (known) known.last = Math.max(known.last, t);
        else seen.set(pid, { first: 0, last: t });
      }
      // Summed for a group; for one process this also keeps the peak of one that has exited
      // by the end of the window (VmHWM is then unreadable).
      const kb = list.reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0);
      this.peakGroupKb.set(name, Math.max(this.peakGroupKb.get(name) ?? 0, kb));
    }
  }
}

function ticksOf(pid: number): number {
  return pid === process.pid ? selfTicks() : cpuTicks(pid);
}

function selfTicks(): number {
  const usage = process.cpuUsage();
  return ((usage.user + usage.system) / 1e6) * CLK_TCK;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
