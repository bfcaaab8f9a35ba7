/** A `devices` row as node-postgres returns it. */
export interface DeviceRow {
  deviceid: string;
  device_name: string | null;
  device_type: string | null;
  os: string | null;
  device_location: string | null;
  ip_address: string | null;
  mac_address: string | null;
  current_user: string | null;
  registered_at: Date;
  updated_at: Date;
  last_seen_at: Date | null;
}

/** The columns of a device as the API shows it (internal bookkeeping such as `tx` stays out). */
export const DEVICE_COLUMNS = `deviceid, device_name, device_type, os, device_location, ip_address,
  mac_address, "current_user", registered_at, updated_at, last_seen_at`;
