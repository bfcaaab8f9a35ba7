import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { parseProcStat } from './proc-parsers';

const run = promisify(execFile);

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLK_TCK = 100;
const PAGE_SIZE = 4096;

export interface ProcessInfo {
  pid: number;
  process_name: string;
  /** % of one core since the previous reading. */
  cpu: number;
  /** Resident bytes. */
  memory: number;
  command_text?: string;
}

/**
 * The running processes: from /proc on Linux (CPU from the change of each process's ticks
 * since the previous reading), elsewhere from `ps`. The busiest `limit` are kept.
 */
export class ProcessCollector {
  private previous = new Map<number, number>();
  private previousAt = 0;

  constructor(
    private readonly limit = 500,
    private readonly proc = '/proc',
  ) {
    if (this.hasProc()) this.readProc();
  }

  async sample(): Promise<ProcessInfo[]> {
    const list = this.hasProc() ? this.readProc() : await this.readPs();
    return list
      .sort((a, b) => b.cpu - a.cpu || b.memory - a.memory || a.pid - b.pid)
      .slice(0, this.limit);
  }

  private hasProc(): boolean {
    try {
      readFileSync(`${this.proc}/self/stat`);
      return true;
    } catch {
      return false;
    }
  }

  private readProc(): ProcessInfo[] {
    const now = Date.now();
    const elapsedS = this.previousAt > 0 ? (now - this.previousAt) / 1000 : 0;
    const ticks = new Map<number, number>();
    const list: ProcessInfo[] = [];
    for (const entry of readdirSync(this.proc)) {
      if (!/^\d+$/.test(entry)) continue;
      let stat;
      let cmdline = '';
      try {
        stat = parseProcStat(readFileSync(`${this.proc}/${entry}/stat`, 'utf8'));
        cmdline = readFileSync(`${this.proc}/${entry}/cmdline`, 'utf8');
      } catch {
        // The process ended while we looked.
      }
      if (!stat) continue;
      ticks.set(stat.pid, stat.ticks);
      const before = this.previous.get(stat.pid);
      const cpu =
        before !== undefined && elapsedS > 0
          ? ((stat.ticks - before) / CLK_TCK / elapsedS) * 100
          : 0;
      const command = cmdline.split('\0').filter(Boolean).join(' ');
      list.push({
        pid: stat.pid,
        process_name: (stat.name || String(stat.pid)).slice(0, 255),
        cpu: Math.round(Math.max(0, cpu) * 10) / 10,
        memory: stat.rssPages * PAGE_SIZE,
        ...(command ? { command_text: command.slice(0, 4096) } : {}),
      });
    }
    this.previous = ticks;
    this.previousAt = now;
    return list;
  }

  private async readPs(): Promise<ProcessInfo[]> {
    const { stdout } = await run('ps', ['-axo', 'pid=,pcpu=,rss=,comm=,args='], {
      timeout: 5000,
      maxBuffer: 8 * 1024 * 1024,
    });
    const list: ProcessInfo[] = [];
    for (const line of stdout.split('\n')) {
      const match = /^\s*(\d+)\s+([\d.]+)\s+(\d+)\s+(\S+)\s*(.*)$/.exec(line);
      if (!match) continue;
      const name = match[4].split('/').pop() || match[4];
      list.push({
        pid: Number(match[1]),
        process_name: name.slice(0, 255),
        cpu: Number(match[2]),
        memory: Number(match[3]) * 1024,
        ...(match[5] ? { command_text: match[5].slice(0, 4096) } : {}),
      });
    }
    return list;
  }
}
