/** A device id: 1-64 characters of letters, digits and `._:-` (UUIDs, `test-device-123`). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
/** DEVICE_ID_PATTERN in words, for error messages (no regular expression is shown to users). */
export const DEVICE_ID_RULE = 'deviceid must be 1-64 characters of A-Z a-z 0-9 . _ : -';

/** Records per request, on the device API and on the mentor's ingest API. */
export const MAX_BATCH_ITEMS = 1000;

export const ALERT_LEVELS = ['info', 'warning', 'error', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** Kinds of forwarded data, as `data_type` labels of the forwarding metrics. */
export const DATA_TYPES = [
  'device',
  'metrics',
  'activities',
  'processes',
  'alerts',
  'screenshots',
  'command_status',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Mentor ingest endpoints of the reference's forwarding table. */
export const MENTOR_INGEST_PATHS: Record<DataType, string> = {
  device: '/devices/register',
  metrics: '/devices/metrics',
  activities: '/devices/activity',
  processes: '/devices/processes',
  alerts: '/devices/alerts',
  screenshots: '/devices/screenshots',
  command_status: '/commands/status',
};

/** Largest integer counters (bytes) accepted: what a JSON number holds exactly. */
export const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

/** Records one forwarded request may carry; FORWARD_BATCH_SIZE cannot exceed it. */
export const MAX_FORWARDED_BATCH = 5000;
