/**
 * What the dashboard hears about: something new was stored for a device. Telemetry events carry
 * the newest new record of their batch (metrics, processes, device facts) or the new records
 * themselves (alerts, activities; at most a few per event), so a page can update without
 * refetching; `count` says how many new records the batch held.
 */
export interface LiveEvent {
  type: 'metrics' | 'activities' | 'alerts' | 'processes' | 'device' | 'command' | 'screenshots';
  deviceid: string;
  count: number;
  records: Record<string, unknown>[];
}

export const EVENTS_CHANNEL = 'raqeem_live_events';

/** NOTIFY payloads are limited to 8000 bytes; stay well below. */
export const MAX_PAYLOAD_BYTES = 7000;
