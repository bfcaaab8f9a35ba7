import type { RegisterDeviceDto } from '@app/contracts';
import { SqlPool } from '@app/platform';
import { Injectable } from '@nestjs/common';
import { DeviceTokenService } from '../auth/device-token.service';
import { ForwardingService } from '../forwarding/forwarding.service';
import { WebhookEvents } from '../webhooks/webhook-events.service';
import { DeviceRegistry } from './device-registry.service';
import type { DeviceEntity } from './device.entity';

const INFO_FIELDS = [
  'device_name',
  'device_type',
  'os',
  'device_location',
  'ip_address',
  'mac_address',
  'current_user',
] as const;

/**
 * Upsert of a device. Facts the agent leaves out keep their previous value, so a partial
 * re-registration never erases what was known. The forwarded record carries `updated_at`,
 * which the mentor uses to apply device facts in time order. It stays one statement of SQL:
 * the merge, and the export cursor `tx` (xid8, which TypeORM does not map), happen in the
 * database, free of a read-then-write race between two registrations.
 */
const UPSERT_DEVICE = `
  INSERT INTO devices (deviceid, device_name, device_type, os, device_location, ip_address, mac_address, "current_user")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (deviceid) DO UPDATE SET
    device_name = COALESCE(excluded.device_name, devices.device_name),
    device_type = COALESCE(excluded.device_type, devices.device_type),
    os = COALESCE(excluded.os, devices.os),
    device_location = COALESCE(excluded.device_location, devices.device_location),
    ip_address = COALESCE(excluded.ip_address, devices.ip_address),
    mac_address = COALESCE(excluded.mac_address, devices.mac_address),
    "current_user" = COALESCE(excluded."current_user", devices."current_user"),
    updated_at = clock_timestamp(),
    tx = pg_current_xact_id()
  RETURNING deviceid, device_name, device_type, os, device_location, ip_address, mac_address,
    "current_user", registered_at, updated_at, last_seen_at`;

@Injectable()
export class RegistrationService {
  constructor(
    private readonly pool: SqlPool,
    private readonly forwarding: ForwardingService,
    private readonly registry: DeviceRegistry,
    private readonly tokens: DeviceTokenService,
    private readonly webhooks: WebhookEvents,
  ) {}

  /**
   * Upserts the device; with `issueToken` (the request carried the enrollment secret) a fresh
   * device token is issued in the same transaction, replacing the previous one.
   */
  async register(
    dto: RegisterDeviceDto,
    requestId: string,
    issueToken: boolean,
  ): Promise<DeviceEntity & { device_token?: string }> {
    const { device, token } = await this.pool.transaction(async (client, manager) => {
      const values = [dto.deviceid, ...INFO_FIELDS.map((field) => dto[field] ?? null)];
      const { rows } = await client.query<DeviceEntity>(UPSERT_DEVICE, values);
      const row = rows[0];
      const payload = {
        deviceid: row.deviceid,
        ...Object.fromEntries(INFO_FIELDS.map((field) => [field, row[field] ?? undefined])),
        registered_at: row.registered_at.toISOString(),
        updated_at: row.updated_at.toISOString(),
      };
      await this.forwarding.enqueue(client, 'device', [
        { recordId: row.deviceid, requestId, payload },
      ]);
      await this.webhooks.emit(client, 'device.registered', payload, requestId);
      const issued = issueToken ? await this.tokens.issue(manager, row.deviceid) : undefined;
      return { device: row, token: issued };
    });
    if (token !== undefined) this.tokens.forget(device.deviceid);
    this.registry.remember(device.deviceid);
    this.forwarding.kick();
    this.webhooks.kick('device.registered');
    return token === undefined ? device : { ...device, device_token: token };
  }
}
