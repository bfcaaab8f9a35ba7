import type { Device } from '../api/types';

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
