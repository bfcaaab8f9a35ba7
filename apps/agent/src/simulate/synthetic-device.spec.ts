import { inflateSync } from 'node:zlib';
import type { Threshold } from '../alerts/threshold-alerts';
import { encodePng } from './png-encoder';
import { SyntheticDevice, type SyntheticReading } from './synthetic-device';

const THRESHOLDS: Threshold[] = [{ type: 'cpu_high', label: 'CPU use', unit: '%', threshold: 60 }];

type Items = ReturnType<SyntheticDevice['read']>;

/** A day of readings every 5 minutes from a fixed start, each with the values it came from. */
function day(device: SyntheticDevice, dayIndex = 0): { items: Items; reading: SyntheticReading }[] {
  const start = Date.UTC(2026, 0, 5 + dayIndex, 0, 0, 0);
  return Array.from({ length: 288 }, (_, i) => {
    const items = device.read(new Date(start + i * 300_000), 300);
    return { items, reading: device.last! };
  });
}

/** Median CPU of each hour of one day (the median, so that a rare spike does not count). */
function hourly(device: SyntheticDevice, dayIndex: number): number[] {
  const readings = day(device, dayIndex);
  return Array.from({ length: 24 }, (_, hour) => {
    const slice = readings.slice(hour * 12, hour * 12 + 12).map((r) => r.reading.cpu);
    slice.sort((a, b) => a - b);
    return (slice[5] + slice[6]) / 2;
  });
}

function correlation(a: number[], b: number[]): number {
  const mean = (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** The values of the records, without their random ids. */
function values(items: Items): unknown[] {
  return items.map((item) => {
    const strip = ({ id: _id, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;
    return Array.isArray(item.body)
      ? (item.body as Record<string, unknown>[]).map(strip)
      : strip(item.body);
  });
}

describe('SyntheticDevice', () => {
  it('gives the same device and the same readings for the same seed, and others for another seed', () => {
    const a = new SyntheticDevice(7, 3, THRESHOLDS, 20);
    const b = new SyntheticDevice(7, 3, THRESHOLDS, 20);
    const c = new SyntheticDevice(8, 3, THRESHOLDS, 20);
    expect(a.info).toEqual(b.info);
    const readingsA = day(a).map((r) => values(r.items));
    expect(day(b).map((r) => values(r.items))).toEqual(readingsA);
    expect(day(c).map((r) => values(r.items))).not.toEqual(readingsA);
  });

  it('follows a daily CPU curve with noise: busy and quiet hours that come back the next day', () => {
    for (let index = 0; index < 10; index++) {
      const device = new SyntheticDevice(11, index, THRESHOLDS, 0);
      const first = hourly(device, 0);
      const second = hourly(device, 1);
      expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(8);
      // 24 hours correlated this much by chance is below one in a hundred.
      expect(correlation(first, second)).toBeGreaterThan(0.5);
      // Noise: the same hour is not the same figure twice.
      expect(first).not.toEqual(second);
    }
  });

  it('has network counters that only grow and values in their ranges', () => {
    const device = new SyntheticDevice(5, 0, THRESHOLDS, 0);
    let previous = { rx: 0, tx: 0 };
    for (const { items, reading } of day(device)) {
      expect(reading.rxTotal).toBeGreaterThanOrEqual(previous.rx);
      expect(reading.txTotal).toBeGreaterThanOrEqual(previous.tx);
      previous = { rx: reading.rxTotal, tx: reading.txTotal };
      const metric = items.find((item) => item.kind === 'metrics')!.body as Record<string, number>;
      expect(metric.cpu_usage).toBeGreaterThanOrEqual(0);
      expect(metric.cpu_usage).toBeLessThanOrEqual(100);
      expect(metric.memory_used).toBeLessThanOrEqual(metric.memory_total);
      expect(metric.disk_used).toBeLessThanOrEqual(metric.disk_total);
    }
  });

  it('alerts once per crossing of a threshold, not at every reading over it', () => {
    const device = new SyntheticDevice(9, 1, THRESHOLDS, 0);
    let over = 0;
    let crossings = 0;
    let wasOver = false;
    let alerts = 0;
    for (const { items, reading } of day(device)) {
      const cpu = reading.cpu;
      if (cpu >= 60) over += 1;
      if (cpu >= 60 && !wasOver) crossings += 1;
      if (cpu < 57) wasOver = false;
      else if (cpu >= 60) wasOver = true;
      alerts += items.filter((item) => item.kind === 'alerts').length;
    }
    expect(alerts).toBe(crossings);
    expect(alerts).toBeLessThan(over);
  });

  it('changes its process list over time and sends now and then a real PNG screenshot', () => {
    const device = new SyntheticDevice(3, 2, THRESHOLDS, 20);
    const readings = day(device);
    const names = readings.map(({ items }) =>
      JSON.stringify(
        (items.find((i) => i.kind === 'processes')!.body as { pid: number }[]).map((p) => p.pid),
      ),
    );
    expect(new Set(names).size).toBeGreaterThan(1);
    const shots = readings.flatMap(({ items }) =>
      items.filter((item) => item.kind === 'screenshots'),
    );
    expect(shots.length).toBeGreaterThan(0);
    const png = shots[0].blob!;
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(320);
    expect(png.readUInt32BE(20)).toBe(200);
  });
});

describe('encodePng', () => {
  it('writes a PNG whose pixels read back', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
    const png = encodePng(2, 2, rgb);
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString()).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9]);
    expect(png.subarray(-8, -4).toString()).toBe('IEND');
  });
});
