import * as os from 'node:os';

interface CpuTimes {
  busy: number;
  total: number;
}

/** CPU use in % of all cores, from the change of os.cpus() times since the previous reading. */
export class CpuCollector {
  private previous: CpuTimes;

  constructor(private readonly read: () => os.CpuInfo[] = os.cpus) {
    this.previous = this.times();
  }

  /** Use since the previous call (the first: since the collector was made). */
  sample(): number | undefined {
    const now = this.times();
    const total = now.total - this.previous.total;
    const busy = now.busy - this.previous.busy;
    this.previous = now;
    if (total <= 0) return undefined;
    return Math.round(Math.min(100, Math.max(0, (busy / total) * 100)) * 10) / 10;
  }

  private times(): CpuTimes {
    let busy = 0;
    let total = 0;
    for (const cpu of this.read()) {
      const { user, nice, sys, idle, irq } = cpu.times;
      busy += user + nice + sys + irq;
      total += user + nice + sys + irq + idle;
    }
    return { busy, total };
  }
}
