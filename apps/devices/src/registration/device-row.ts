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
