import { DEVICE_ID_PATTERN } from '@app/contracts';
import { bearerToken, errorBody, RateLimitedException } from '@app/platform';
import {
  BadRequestException,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { DevicesConfig } from '../config/devices.config';
import { DeviceTokenService } from './device-token.service';

/**
 * A device may only speak for itself: its token must resolve to the `:id` of the path
 * (`401` without or with an unknown/revoked token, `403` for another device's id). With
 * DEVICE_AUTH_REQUIRED=false a request without a token is let through (legacy agents), but a
 * token that is sent is still checked. Then the per-device rate limit applies, keyed by the
 * authenticated device so nobody can spend another device's budget. Used by DeviceTokenGuard
 * and by the telemetry routes registered on Fastify directly.
 */
@Injectable()
export class DeviceAccess {
  constructor(
    private readonly config: DevicesConfig,
    private readonly tokens: DeviceTokenService,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {}

  /** Throws the 400/401/403/429 the request deserves; resolves when it may go on. */
  async authorize(pathId: string, authorization: string | undefined): Promise<void> {
    const token = bearerToken(authorization);
    if (token === undefined) {
      if (this.config.DEVICE_AUTH_REQUIRED || authorization !== undefined) {
        throw new UnauthorizedException(
          errorBody(401, 'A device token is required: Authorization: Bearer <device_token>'),
        );
      }
    } else {
      const deviceid = await this.tokens.resolve(token);
      if (deviceid === undefined) {
        throw new UnauthorizedException(errorBody(401, 'The device token is invalid or revoked'));
      }
      if (!DEVICE_ID_PATTERN.test(pathId)) {
        throw new BadRequestException(
          errorBody(400, 'deviceid must be 1-64 characters of A-Z a-z 0-9 . _ : -', [
            { field: 'deviceid', errors: ['invalid device id'] },
          ]),
        );
      }
      if (deviceid !== pathId) {
        throw new ForbiddenException(errorBody(403, 'This device token belongs to another device'));
      }
    }
    await this.limit(pathId);
  }

  private async limit(deviceid: string): Promise<void> {
    const window = this.config.RATE_LIMIT_WINDOW;
    const record = await this.storage.increment(
      `device:${deviceid}`,
      window,
      this.config.RATE_LIMIT_PER_DEVICE,
      0,
      'device',
    );
    if (record.isBlocked) {
      throw new RateLimitedException(record.timeToBlockExpire, 'Too many requests for this device');
    }
  }
}
