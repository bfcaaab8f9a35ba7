import { Module } from '@nestjs/common';
import { DeviceTokenGuard } from './device-token.guard';
import { DeviceTokenService } from './device-token.service';
import { EnrollmentSecretGuard } from './enrollment-secret.guard';
import { OperatorKeyGuard } from './operator-key.guard';

/** The Devices service's credentials: enrollment secret, device tokens, operator keys. */
@Module({
  providers: [DeviceTokenService, DeviceTokenGuard, EnrollmentSecretGuard, OperatorKeyGuard],
  exports: [DeviceTokenService, DeviceTokenGuard, EnrollmentSecretGuard, OperatorKeyGuard],
})
export class DeviceAuthModule {}
