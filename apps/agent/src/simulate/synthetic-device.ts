import { randomUUID } from 'node:crypto';
import { ThresholdAlerts, type Threshold } from '../alerts/threshold-alerts';
import type { NewQueueItem } from '../queue/queue-item';
import type { DeviceInfo } from '../transport/devices-client';
import { paintDesktop } from './desktop-painter';
import { LOCATIONS, PROFILES, USERS, type DeviceProfile } from './device-profiles';
import { SeededRandom } from './seeded-random';

const GiB = 1024 ** 3;

interface SimProcess {
  pid: number;
  name: string;
  weight: number;
  memory: number;
}

/** The values of one reading, before they become records (what the tests look at). */
export interface SyntheticReading {
  cpu: number;
  temp: number;
  memoryUsed: number;
  swapUsed: number;
  diskUsed: number;
  /** Counters since the device started: they only grow. */
  rxTotal: number;
  txTotal: number;
}

/**
 * One simulated machine. Its size and habits come from the seed; each reading follows a daily
 * CPU curve in the device's own time zone with noise and rare spikes, memory that drifts back
 * to its usual level, a disk that fills slowly, network counters that only grow, programs that
 * start and stop, activity, threshold alerts and now and then a screenshot.
 */
export class SyntheticDevice {
  readonly deviceid: string;
  readonly info: DeviceInfo;
  private readonly random: SeededRandom;
  private readonly profile: DeviceProfile;
  private readonly cores: number;
  private readonly memoryTotal: number;
  private readonly diskTotal: number;
  private readonly tzHours: number;
  private readonly idleCpu: number;
  private readonly dayCpu: number;
  private readonly netRate: number;
  private readonly alerts: ThresholdAlerts;
  private memoryShare: number;
  private readonly usualMemoryShare: number;
  private diskUsed: number;
  private rx = 0;
  private tx = 0;
  private spikeLeft = 0;
  private nextPid: number;
  private processes: SimProcess[] = [];
  private readings = 0;
  last?: SyntheticReading;

  constructor(
    seed: number,
    index: number,
    thresholds: Threshold[],
    private readonly screenshotEvery: number,
  ) {
    this.random = SeededRandom.forDevice(seed, index);
    const r = this.random;
    this.profile = r.pick(PROFILES);
    this.deviceid = `sim-${seed}-${String(index).padStart(4, '0')}`;
    this.cores = r.pick(this.profile.cores);
    this.memoryTotal = r.pick(this.profile.memoryGiB) * GiB;
    this.diskTotal = r.pick(this.profile.diskGiB) * GiB;
    this.tzHours = r.int(-8, 9);
    this.idleCpu = r.between(...this.profile.idleCpu);
    this.dayCpu = r.between(...this.profile.dayCpu);
    this.netRate = r.between(...this.profile.netRate);
    this.usualMemoryShare = r.between(0.35, 0.75);
    this.memoryShare = this.usualMemoryShare;
    this.diskUsed = Math.round(this.diskTotal * r.between(0.2, 0.85));
    this.nextPid = r.int(300, 3000);
    this.alerts = new ThresholdAlerts(thresholds);
    const user = r.pick(USERS);
    this.info = {
      deviceid: this.deviceid,
      device_name: `${user}-${this.profile.type}-${index}`,
      device_type: this.profile.type,
      os: r.pick(this.profile.os),
      device_location: r.pick(LOCATIONS),
      ip_address: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
      mac_address: Array.from({ length: 6 }, () =>
        r.int(0, 255).toString(16).padStart(2, '0'),
      ).join(':'),
      current_user: user,
    };
    for (const name of this.profile.base) this.startProcess(name);
    for (let i = 0; i < r.int(2, 5); i++) this.startProcess(r.pick(this.profile.apps));
  }

  /** The records of one reading taken at `now`, `intervalS` after the previous one. */
  read(now: Date, intervalS: number): NewQueueItem[] {
    const r = this.random;
    const timestamp = now.toISOString();
    const cpu = this.cpu(now);
    this.memoryShare += 0.1 * (this.usualMemoryShare - this.memoryShare) + r.gaussian(0.015);
    this.memoryShare = Math.min(0.98, Math.max(0.1, this.memoryShare + (cpu > 85 ? 0.01 : 0)));
    const memoryUsed = Math.round(this.memoryTotal * this.memoryShare);
    const swapUsed =
      this.memoryShare > 0.85 ? Math.round((this.memoryShare - 0.85) * this.memoryTotal) : 0;
    // Disks fill slowly; now and then something is cleaned up.
    this.diskUsed += Math.round(Math.abs(r.gaussian(2e6)) * intervalS);
    if (r.chance(0.002)) this.diskUsed = Math.round(this.diskUsed * r.between(0.9, 0.98));
    this.diskUsed = Math.min(this.diskUsed, this.diskTotal);
    const load = 0.15 + cpu / 100;
    const rxDelta = Math.round(this.netRate * load * intervalS * Math.exp(r.gaussian(0.4)));
    const txDelta = Math.round(rxDelta * r.between(0.1, 0.5));
    this.rx += rxDelta;
    this.tx += txDelta;
    const temp = Math.round((32 + cpu * 0.5 + r.gaussian(1.5)) * 10) / 10;
    this.last = {
      cpu,
      temp,
      memoryUsed,
      swapUsed,
      diskUsed: this.diskUsed,
      rxTotal: this.rx,
      txTotal: this.tx,
    };
    const items: NewQueueItem[] = [
      this.item('metrics', {
        id: randomUUID(),
        timestamp,
        cpu_usage: cpu,
        cpu_temp: temp,
        memory_total: this.memoryTotal,
        memory_used: memoryUsed,
        swap_used: swapUsed,
        disk_total: this.diskTotal,
        disk_used: this.diskUsed,
        // The first reading has no previous one to count from.
        ...(this.readings > 0 ? { net_bytes_in: rxDelta, net_bytes_out: txDelta } : {}),
      }),
    ];
    items.push(...this.activities(timestamp));
    items.push({ ...this.item('processes', this.processList(timestamp, cpu)), replaces: true });
    const crossed = this.alerts.check({
      cpu_high: cpu,
      memory_high: Math.round(this.memoryShare * 1000) / 10,
      disk_high: Math.round((this.diskUsed / this.diskTotal) * 1000) / 10,
      temperature_high: temp,
    });
    for (const alert of crossed)
      items.push(this.item('alerts', { id: randomUUID(), timestamp, ...alert }));
    if (this.screenshotEvery > 0 && r.chance(1 / this.screenshotEvery)) {
      const id = randomUUID();
      items.push({ ...this.item('screenshots', { id, timestamp }), blob: paintDesktop(r) });
    }
    this.readings += 1;
    return items;
  }

  /** CPU %: the device's daily curve at its local hour, noise, and now and then a spike. */
  private cpu(now: Date): number {
    const r = this.random;
    const hour = (now.getUTCHours() + now.getUTCMinutes() / 60 + this.tzHours + 24) % 24;
    // 0 at 03:00, 1 at 15:00.
    const day = (1 - Math.cos((2 * Math.PI * (hour - 3)) / 24)) / 2;
    if (this.spikeLeft === 0 && r.chance(0.01)) this.spikeLeft = r.int(2, 8);
    const spike = this.spikeLeft > 0 ? r.between(30, 60) : 0;
    if (this.spikeLeft > 0) this.spikeLeft -= 1;
    const value = this.idleCpu + this.dayCpu * day ** 1.5 + spike + r.gaussian(4);
    return Math.round(Math.min(100, Math.max(0.5, value)) * 10) / 10;
  }

  private activities(timestamp: string): NewQueueItem[] {
    const r = this.random;
    const records: Record<string, unknown>[] = [];
    if (this.readings === 0) {
      records.push({
        activity_type: 'user_login',
        description: `${this.info.current_user} logged in on tty1`,
        app: 'login',
      });
    }
    if (r.chance(0.08)) {
      const app = r.pick(this.profile.focusApps);
      records.push({
        activity_type: 'app_focus',
        description: `${app} in front`,
        app,
        duration: r.int(5, 1800),
      });
    }
    if (r.chance(0.01)) {
      records.push({
        activity_type: 'file_download',
        description: `report-${r.int(1, 999)}.pdf`,
        app: 'Firefox',
      });
    }
    return records.map((record) =>
      this.item('activities', { id: randomUUID(), timestamp, ...record }),
    );
  }

  private processList(timestamp: string, cpu: number): Record<string, unknown>[] {
    const r = this.random;
    if (r.chance(0.1) && this.processes.length > this.profile.base.length) {
      const index = r.int(this.profile.base.length, this.processes.length - 1);
      this.processes.splice(index, 1);
    }
    if (r.chance(0.1)) this.startProcess(r.pick(this.profile.apps));
    const weights = this.processes.map((p) => p.weight * Math.exp(r.gaussian(0.5)));
    const sum = weights.reduce((a, b) => a + b, 0);
    return this.processes.map((p, i) => {
      p.memory = Math.max(1e6, Math.round(p.memory * Math.exp(r.gaussian(0.03))));
      return {
        id: randomUUID(),
        timestamp,
        pid: p.pid,
        process_name: p.name,
        cpu: Math.round(((cpu * this.cores * weights[i]) / sum) * 10) / 10,
        memory: p.memory,
        command_text: `/usr/bin/${p.name}`,
      };
    });
  }

  private startProcess(name: string): void {
    const r = this.random;
    this.nextPid += r.int(1, 40);
    this.processes.push({
      pid: this.nextPid,
      name,
      weight: r.between(0.2, 3),
      memory: Math.round(r.between(5e6, 0.08 * this.memoryTotal)),
    });
  }

  private item(
    kind: NewQueueItem['kind'],
    body: Record<string, unknown> | unknown[],
  ): NewQueueItem {
    const recordId = Array.isArray(body) ? randomUUID() : String(body.id);
    return { deviceid: this.deviceid, kind, recordId, body };
  }
}
