import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { DeviceTokenGuard } from './device-token.guard';

export const DEVICE_AUTH = 'raqeem:device-auth';

/**
 * Routes under `/api/v1/devices/:id/...` that a device calls for itself (telemetry,
 * screenshots, command polling and results): `Authorization: Bearer <device_token>` of that
 * very device, and the per-device rate limit.
 */
export const DeviceAuth = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(DEVICE_AUTH, true), UseGuards(DeviceTokenGuard));
