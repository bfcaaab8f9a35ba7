import { readFileSync, statfsSync, statSync } from 'node:fs';
import { parseMounts } from './proc-parsers';

export interface DiskSample {
  /** Summed over the filesystems measured, each counted once. */
  total: number;
  used: number;
  /** The fullest filesystem, for the disk alert. */
  fullest?: { target: string; percent: number };
}

/** The root filesystem and every mounted real one (/proc/mounts), each device once. */
export class DiskCollector {
  constructor(private readonly mountsFile = '/proc/mounts') {}

  sample(): DiskSample {
    let targets = ['/'];
    try {
      targets = ['/', ...parseMounts(readFileSync(this.mountsFile, 'utf8')).map((m) => m.target)];
    } catch {
      // No /proc (macOS, BSD): the root alone.
    }
    const seen = new Set<number>();
    const sample: DiskSample = { total: 0, used: 0 };
    for (const target of targets) {
      let total: number;
      let used: number;
      try {
        const dev = statSync(target).dev;
        if (seen.has(dev)) continue;
        seen.add(dev);
        const fs = statfsSync(target);
        total = fs.blocks * fs.bsize;
        // Used as df counts it: what is not free (blocks reserved for root count as used).
        used = (fs.blocks - fs.bfree) * fs.bsize;
      } catch {
        continue;
      }
      if (total <= 0) continue;
      sample.total += total;
      sample.used += used;
      const percent = Math.round((used / total) * 1000) / 10;
      if (!sample.fullest || percent > sample.fullest.percent) sample.fullest = { target, percent };
    }
    return sample;
  }
}
