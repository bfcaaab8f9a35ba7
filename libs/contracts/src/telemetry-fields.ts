/**
 * The stored columns of each append-only telemetry kind, with their PostgreSQL types. Both
 * services keep these records in tables of this shape (plus `received_at`), so the batched
 * insert is built from this one list on either side.
 */
export type TelemetryKind = 'metrics' | 'activities' | 'alerts';

export interface ColumnSpec {
  name: string;
  pgType: 'uuid' | 'text' | 'timestamptz' | 'float8' | 'int8';
}

/** Identity columns first: id, deviceid and `ts` (the record's wire `timestamp`). */
export const RECORD_IDENTITY_COLUMNS: ColumnSpec[] = [
  { name: 'id', pgType: 'uuid' },
  { name: 'deviceid', pgType: 'text' },
  { name: 'ts', pgType: 'timestamptz' },
];

export const TELEMETRY_FIELD_COLUMNS: Record<TelemetryKind, ColumnSpec[]> = {
  metrics: [
    { name: 'cpu_usage', pgType: 'float8' },
    { name: 'cpu_temp', pgType: 'float8' },
    { name: 'memory_total', pgType: 'int8' },
    { name: 'memory_used', pgType: 'int8' },
    { name: 'swap_used', pgType: 'int8' },
    { name: 'disk_total', pgType: 'int8' },
    { name: 'disk_used', pgType: 'int8' },
    { name: 'net_bytes_in', pgType: 'int8' },
    { name: 'net_bytes_out', pgType: 'int8' },
  ],
  activities: [
    { name: 'activity_type', pgType: 'text' },
    { name: 'description', pgType: 'text' },
    { name: 'app', pgType: 'text' },
    { name: 'duration', pgType: 'float8' },
  ],
  alerts: [
    { name: 'level', pgType: 'text' },
    { name: 'alert_type', pgType: 'text' },
    { name: 'message', pgType: 'text' },
    { name: 'value', pgType: 'float8' },
    { name: 'threshold', pgType: 'float8' },
  ],
};

export const TELEMETRY_KINDS = Object.keys(TELEMETRY_FIELD_COLUMNS) as TelemetryKind[];

/** Every stored column of a kind: identity first, then its fields. */
export function telemetryColumns(kind: TelemetryKind): ColumnSpec[] {
  return [...RECORD_IDENTITY_COLUMNS, ...TELEMETRY_FIELD_COLUMNS[kind]];
}
