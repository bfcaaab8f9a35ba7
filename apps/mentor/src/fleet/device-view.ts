/** A device in the query API: facts, online state, latest sample and unresolved alerts. */
export interface DeviceView {
  deviceid: string;
  device_name: string | null;
  device_type: string | null;
  os: string | null;
  device_location: string | null;
  ip_address: string | null;
  mac_address: string | null;
  current_user: string | null;
  registered_at: Date | null;
  last_seen_at: Date | null;
  online: boolean;
  latest: {
    timestamp: Date;
    cpu_usage: number | null;
    memory_used: number | null;
    memory_total: number | null;
  } | null;
  open_alerts: Record<string, number>;
  /** Only when the list asks for it (`sparkline=`). */
  sparkline?: Sparkline;
}

/**
 * A device's recent CPU and memory: `cpu.length` buckets of `step_seconds` from `from`, oldest
 * first; per bucket the mean CPU % and the mean memory used in % of the total, null without data.
 */
export interface Sparkline {
  from: string;
  step_seconds: number;
  cpu: (number | null)[];
  mem: (number | null)[];
}

export function toDeviceView(row: Record<string, unknown>): DeviceView {
  const { latest_metric_at, latest_cpu_usage, latest_memory_used, latest_memory_total, ...rest } =
    row;
  return {
    ...(rest as Omit<DeviceView, 'latest'>),
    latest: latest_metric_at
      ? {
          timestamp: latest_metric_at as Date,
          cpu_usage: latest_cpu_usage as number | null,
          memory_used: latest_memory_used === null ? null : Number(latest_memory_used),
          memory_total: latest_memory_total === null ? null : Number(latest_memory_total),
        }
      : null,
  };
}
