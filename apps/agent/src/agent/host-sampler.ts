import { randomUUID } from 'node:crypto';
import { thresholdsFrom } from '../alerts/default-thresholds';
import { ThresholdAlerts } from '../alerts/threshold-alerts';
import { CpuCollector } from '../collectors/cpu-collector';
import { DiskCollector } from '../collectors/disk-collector';
import { LoginCollector } from '../collectors/login-collector';
import { MemoryCollector } from '../collectors/memory-collector';
import { NetworkCollector } from '../collectors/network-collector';
import { ProcessCollector, type ProcessInfo } from '../collectors/process-collector';
import { TemperatureCollector } from '../collectors/temperature-collector';
import type { AgentOptions } from '../options/agent-options';
import type { NewQueueItem } from '../queue/queue-item';

/**
 * One reading of this host, as queue items: a metric sample, a process snapshot, the logins
 * seen since the last reading and the thresholds crossed. Every record gets its id and the
 * time it was collected here, so a resend is recognised and dated right.
 */
export class HostSampler {
  readonly cpu = new CpuCollector();
  readonly temperature = new TemperatureCollector();
  readonly memory = new MemoryCollector();
  readonly disk = new DiskCollector();
  readonly network = new NetworkCollector();
  readonly processes = new ProcessCollector();
  readonly logins = new LoginCollector();
  private readonly alerts: ThresholdAlerts;
  /** The latest process list, for the get_processes command. */
  latestProcesses: ProcessInfo[] = [];
  /** Why the last process list could not be read (shown by the status command). */
  processError?: string;

  constructor(
    private readonly deviceid: string,
    options: Pick<AgentOptions, 'cpuAlert' | 'memoryAlert' | 'diskAlert' | 'tempAlert'>,
  ) {
    this.alerts = new ThresholdAlerts(thresholdsFrom(options));
  }

  async sample(): Promise<NewQueueItem[]> {
    const timestamp = new Date().toISOString();
    const cpu = this.cpu.sample();
    const temp = this.temperature.sample();
    const memory = this.memory.sample();
    const disk = this.disk.sample();
    const net = this.network.sample();
    const metric = {
      id: randomUUID(),
      timestamp,
      ...(cpu !== undefined ? { cpu_usage: cpu } : {}),
      ...(temp !== undefined ? { cpu_temp: temp } : {}),
      memory_total: memory.total,
      memory_used: memory.used,
      swap_used: memory.swapUsed,
      ...(disk.total > 0 ? { disk_total: disk.total, disk_used: disk.used } : {}),
      ...(net ? { net_bytes_in: net.in, net_bytes_out: net.out } : {}),
    };
    const items: NewQueueItem[] = [this.item('metrics', metric)];
    // A reading without a process list is still worth sending.
    let processes: ProcessInfo[] = [];
    try {
      processes = await this.processes.sample();
      this.processError = undefined;
    } catch (error) {
      this.processError = (error as Error).message;
    }
    this.latestProcesses = processes;
    if (processes.length > 0) {
      const snapshot = processes.map((p) => ({ id: randomUUID(), timestamp, ...p }));
      items.push({ ...this.item('processes', snapshot), replaces: true });
    }
    for (const login of this.logins.sample()) {
      items.push(this.item('activities', { id: randomUUID(), timestamp, ...login }));
    }
    const memoryPercent = memory.total > 0 ? round((memory.used / memory.total) * 100) : undefined;
    const crossed = this.alerts.check({
      cpu_high: cpu,
      memory_high: memoryPercent,
      disk_high: disk.fullest?.percent,
      temperature_high: temp,
    });
    for (const alert of crossed) {
      items.push(this.item('alerts', { id: randomUUID(), timestamp, ...alert }));
    }
    return items;
  }

  private item(
    kind: NewQueueItem['kind'],
    body: Record<string, unknown> | unknown[],
  ): NewQueueItem {
    const recordId = Array.isArray(body) ? randomUUID() : String(body.id);
    return { deviceid: this.deviceid, kind, recordId, body };
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
