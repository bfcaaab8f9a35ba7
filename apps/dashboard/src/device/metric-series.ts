import type { MetricBucket, MetricSample } from '../api/types';

/** A device's samples as columns, oldest first, times in seconds (what uPlot draws). */
export interface MetricSeries {
  t: number[];
  cpu: (number | null)[];
  memUsed: (number | null)[];
  memTotal: (number | null)[];
  diskUsed: (number | null)[];
  diskTotal: (number | null)[];
  /** Bytes per second, from the byte counts sent since each previous sample. */
  netIn: (number | null)[];
  netOut: (number | null)[];
  /** Seconds between samples at the end of the series, to rate the next live sample. */
  lastInterval: number | null;
}

/** A series with no points, its columns fresh arrays to push to. */
function emptySeries(): MetricSeries {
  return {
    t: [],
    cpu: [],
    memUsed: [],
    memTotal: [],
    diskUsed: [],
    diskTotal: [],
    netIn: [],
    netOut: [],
    lastInterval: null,
  };
}

/**
 * A bucket's network rate: an agent sends the bytes moved since its previous sample, so the
 * bucket moved `average × samples` bytes over its length.
 */
function bucketRate(avg: number | null, bucket: MetricBucket): number | null {
  if (avg === null || !(bucket.bucket_seconds > 0)) return null;
  return (avg * bucket.samples) / bucket.bucket_seconds;
}

/** The downsampled answer (newest bucket first) as series; empty buckets are gaps. */
export function fromBuckets(buckets: MetricBucket[]): MetricSeries {
  const series = emptySeries();
  for (let i = buckets.length - 1; i >= 0; i -= 1) {
    const b = buckets[i];
    series.t.push(Date.parse(b.bucket) / 1000);
    series.cpu.push(b.cpu_usage_avg);
    series.memUsed.push(b.memory_used_avg);
    series.memTotal.push(b.memory_total_max);
    series.diskUsed.push(b.disk_used_avg);
    series.diskTotal.push(b.disk_total_max);
    series.netIn.push(bucketRate(b.net_bytes_in_avg, b));
    series.netOut.push(bucketRate(b.net_bytes_out_avg, b));
  }
  const newest = buckets.find((b) => b.samples > 0);
  series.lastInterval = newest ? newest.bucket_seconds / newest.samples : null;
  return series;
}

/**
 * The series with one live sample appended (in time order) and points older than `from`
 * dropped; a sample already shown (same time) changes nothing.
 */
export function appendSample(
  series: MetricSeries,
  sample: MetricSample,
  from: number,
): MetricSeries {
  const t = Date.parse(sample.timestamp) / 1000;
  if (!Number.isFinite(t)) return series;
  const previous = series.t.length > 0 ? series.t[series.t.length - 1] : undefined;
  if (previous !== undefined && t <= previous) return series;
  const interval =
    previous !== undefined && series.lastInterval === null ? t - previous : series.lastInterval;
  const rate = (bytes: number | null | undefined) =>
    bytes === null || bytes === undefined || !interval || interval <= 0 ? null : bytes / interval;
  const keep = series.t.findIndex((time) => time >= from);
  const start = keep === -1 ? series.t.length : keep;
  const cut = <T>(column: T[], value: T): T[] => [...column.slice(start), value];
  return {
    t: cut(series.t, t),
    cpu: cut(series.cpu, sample.cpu_usage ?? null),
    memUsed: cut(series.memUsed, sample.memory_used ?? null),
    memTotal: cut(series.memTotal, sample.memory_total ?? null),
    diskUsed: cut(series.diskUsed, sample.disk_used ?? null),
    diskTotal: cut(series.diskTotal, sample.disk_total ?? null),
    netIn: cut(series.netIn, rate(sample.net_bytes_in)),
    netOut: cut(series.netOut, rate(sample.net_bytes_out)),
    // From now on the gap to the previous live sample is the interval.
    lastInterval: null,
  };
}
