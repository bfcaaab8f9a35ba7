import type { Device } from '../api/types';

/**
 * The Mentor's default ONLINE_WINDOW: a device not heard from for this long is shown offline
 * between two refetches (the server's own flag is taken again on each load).
 */
export const ONLINE_WINDOW_MS = 120_000;

export function isOnline(device: Device, now: number): boolean {
  if (!device.online || !device.last_seen_at) return false;
  return now - Date.parse(device.last_seen_at) <= ONLINE_WINDOW_MS;
}

/** A device row after a live metrics sample: seen now, online, with the sample as latest. */
export function withSample(device: Device, sample: Record<string, unknown>): Device {
  const ts = typeof sample.timestamp === 'string' ? sample.timestamp : new Date().toISOString();
  const seen = new Date().toISOString();
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    ...device,
    online: true,
    last_seen_at: seen,
    latest:
      device.latest && Date.parse(device.latest.timestamp) > Date.parse(ts)
        ? device.latest
        : {
            timestamp: ts,
            cpu_usage: num(sample.cpu_usage) ?? null,
            memory_used: num(sample.memory_used) ?? device.latest?.memory_used ?? null,
            memory_total: num(sample.memory_total) ?? device.latest?.memory_total ?? null,
          },
  };
}

export function memoryPercent(device: Pick<Device, 'latest'>): number | null {
  const l = device.latest;
  if (!l || l.memory_used === null || !l.memory_total) return null;
  return (l.memory_used / l.memory_total) * 100;
}
