import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { parseMeminfo } from './proc-parsers';

export interface MemorySample {
  total: number;
  used: number;
  swapTotal: number;
  swapUsed: number;
}

/**
 * Memory in use (total minus what the kernel counts available, so page cache is not "used")
 * and swap in use, from /proc/meminfo; elsewhere Node's totals (no swap figure).
 */
export class MemoryCollector {
  constructor(private readonly meminfo = '/proc/meminfo') {}

  sample(): MemorySample {
    let text: string | undefined;
    try {
      text = readFileSync(this.meminfo, 'utf8');
    } catch {
      text = undefined;
    }
    const info = text ? parseMeminfo(text) : undefined;
    if (!info) {
      const total = os.totalmem();
      return { total, used: total - os.freemem(), swapTotal: 0, swapUsed: 0 };
    }
    return {
      total: info.total,
      used: info.total - info.available,
      swapTotal: info.swapTotal,
      swapUsed: Math.max(0, info.swapTotal - info.swapFree),
    };
  }
}
