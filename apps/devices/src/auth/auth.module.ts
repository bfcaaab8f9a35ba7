import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeviceAccess } from './device-access.service';
import { DeviceTokenGuard } from './device-token.guard';
import { DeviceTokenService } from './device-token.service';
import { EnrollmentSecretGuard } from './enrollment-secret.guard';
import { OperatorKeyGuard } from './operator-key.guard';
import { DeviceTokenEntity } from './device-token.entity';

/** The Devices service's credentials: enrollment secret, device tokens, operator keys. */
@Module({
  imports: [TypeOrmModule.forFeature([DeviceTokenEntity])],
  providers: [
    DeviceTokenService,
    DeviceAccess,
    DeviceTokenGuard,
    EnrollmentSecretGuard,
    OperatorKeyGuard,
  ],
  exports: [
    DeviceTokenService,
    DeviceAccess,
    DeviceTokenGuard,
    EnrollmentSecretGuard,
    OperatorKeyGuard,
  ],
})
export class DeviceAuthModule {}
