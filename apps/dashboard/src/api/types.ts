/** The Mentor's answers as the dashboard reads them (docs/api.md); times are ISO strings. */
export type AlertLevel = 'info' | 'warning' | 'error' | 'critical';
export const ALERT_LEVELS: AlertLevel[] = ['critical', 'error', 'warning', 'info'];

export interface Device {
  deviceid: string;
  device_name: string | null;
  device_type: string | null;
  os: string | null;
  device_location: string | null;
  ip_address: string | null;
  mac_address: string | null;
  current_user: string | null;
  registered_at: string | null;
  last_seen_at: string | null;
  online: boolean;
  latest: {
    timestamp: string;
    cpu_usage: number | null;
    memory_used: number | null;
    memory_total: number | null;
  } | null;
  open_alerts: Partial<Record<AlertLevel, number>>;
  /**
   * With `sparkline=` on the list: equal buckets from `from`, oldest first, the mean CPU % and
   * memory used as % of the total in each (null: no samples).
   */
  sparkline?: {
    from: string;
    step_seconds: number;
    cpu: (number | null)[];
    mem: (number | null)[];
  };
}

/** One downsampled bucket of `GET /devices/{id}/metrics?points=`. */
export interface MetricBucket {
  bucket: string;
  bucket_end: string;
  bucket_seconds: number;
  samples: number;
  cpu_usage_avg: number | null;
  memory_used_avg: number | null;
  memory_total_max: number | null;
  disk_used_avg: number | null;
  disk_total_max: number | null;
  net_bytes_in_avg: number | null;
  net_bytes_out_avg: number | null;
}

/** A raw sample, as a live `metrics` event carries it. */
export interface MetricSample {
  id: string;
  deviceid: string;
  timestamp: string;
  cpu_usage?: number | null;
  memory_used?: number | null;
  memory_total?: number | null;
  disk_used?: number | null;
  disk_total?: number | null;
  net_bytes_in?: number | null;
  net_bytes_out?: number | null;
}

export interface Alert {
  id: string;
  deviceid: string;
  timestamp: string;
  level: AlertLevel;
  alert_type: string;
  message: string | null;
  value: number | null;
  threshold: number | null;
  state: 'open' | 'acknowledged' | 'resolved';
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
}

export type CommandState = 'pending' | 'delivered' | 'running' | 'completed' | 'failed' | 'expired';

export interface Command {
  commandid: string;
  deviceid: string;
  command_text: string;
  issued_by: string;
  status: CommandState;
  result?: string | null;
  result_bytes?: number | null;
  exit_code: number | null;
  created_at: string;
  status_at: string;
  finished_at: string | null;
}

export interface Activity {
  id: string;
  timestamp: string;
  activity_type: string;
  description: string | null;
  app: string | null;
  duration: number | null;
}

export interface ProcessInfo {
  pid: number;
  process_name: string;
  cpu: number | null;
  memory: number | null;
  command_text: string | null;
  timestamp: string;
}

export interface Screenshot {
  id: string;
  timestamp: string;
  content_type: string;
  width: number;
  height: number;
  size_bytes: number;
}

export interface FleetSummary {
  devices: { total: number; online: number; offline: number };
  open_alerts_by_level: Partial<Record<AlertLevel, number>>;
  busiest: {
    deviceid: string;
    device_name: string | null;
    cpu_usage: number | null;
    memory_used: number | null;
    memory_total: number | null;
    timestamp: string | null;
  }[];
  /** Metric samples per second over the last few whole minutes. */
  telemetry_rate?: { metrics_per_second: number; since?: string; until?: string } | null;
}

export interface User {
  username: string;
  role: 'admin' | 'viewer';
  created_at: string;
}

export interface LiveEvent<R = Record<string, unknown>> {
  type: 'metrics' | 'activities' | 'alerts' | 'processes' | 'device' | 'command' | 'screenshots';
  deviceid: string;
  count: number;
  records: R[];
}
