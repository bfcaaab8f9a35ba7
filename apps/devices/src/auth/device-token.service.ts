import { generateToken, hashToken, hashTokenHex } from '@app/platform';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { DevicesConfig } from '../config/devices.config';
import { DeviceTokenEntity } from './device-token.entity';

const CACHE_LIMIT = 100_000;

/**
 * Device tokens: issued at enrolment (rotating the previous one), stored only as SHA-256,
 * resolved to their device on every telemetry request. Resolutions are cached for
 * DEVICE_TOKEN_CACHE_TTL so the hot path needs no query; this process drops a device's cached
 * token the moment it is rotated or revoked, other replicas when their entry expires.
 * Misses are not cached, so a token issued on another replica works at once.
 */
@Injectable()
export class DeviceTokenService {
  private readonly byHash = new Map<string, { deviceid: string; until: number }>();
  private readonly hashByDevice = new Map<string, string>();

  constructor(
    @InjectRepository(DeviceTokenEntity) private readonly tokens: Repository<DeviceTokenEntity>,
    private readonly config: DevicesConfig,
  ) {}

  /** Issues a new token for `deviceid` inside the caller's transaction; the old one stops working. */
  async issue(manager: EntityManager, deviceid: string): Promise<string> {
    const token = generateToken();
    await manager.upsert(
      DeviceTokenEntity,
      { deviceid, token_hash: hashToken(token), issued_at: () => 'now()' },
      ['deviceid'],
    );
    return token;
  }

  /** Deletes the device's token; true when it had one. */
  async revoke(deviceid: string): Promise<boolean> {
    const result = await this.tokens.delete({ deviceid });
    this.forget(deviceid);
    return (result.affected ?? 0) > 0;
  }

  /** Drops what this process cached for the device (after a rotation or revocation). */
  forget(deviceid: string): void {
    const hash = this.hashByDevice.get(deviceid);
    if (hash !== undefined) this.byHash.delete(hash);
    this.hashByDevice.delete(deviceid);
  }

  /** The device a presented token belongs to, or undefined for an unknown or revoked token. */
  async resolve(token: string): Promise<string | undefined> {
    const key = hashTokenHex(token);
    const now = Date.now();
    const cached = this.byHash.get(key);
    if (cached && cached.until > now) return cached.deviceid;
    if (cached) this.byHash.delete(key);
    const row = await this.tokens.findOne({
      select: { deviceid: true },
      where: { token_hash: Buffer.from(key, 'hex') },
    });
    const deviceid = row?.deviceid;
    if (deviceid !== undefined && this.config.DEVICE_TOKEN_CACHE_TTL > 0) {
      if (this.byHash.size >= CACHE_LIMIT) {
        this.byHash.clear();
        this.hashByDevice.clear();
      }
      this.forget(deviceid);
      this.byHash.set(key, { deviceid, until: now + this.config.DEVICE_TOKEN_CACHE_TTL });
      this.hashByDevice.set(deviceid, key);
    }
    return deviceid;
  }
}
