import { Module } from '@nestjs/common';
import { DeviceAuthModule } from '../auth/auth.module';
import { ForwardingModule } from '../forwarding/forwarding.module';
import { DeviceInventoryController } from './device-inventory.controller';
import { DeviceRegistry } from './device-registry.service';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';

@Module({
  imports: [ForwardingModule, DeviceAuthModule],
  controllers: [RegistrationController, DeviceInventoryController],
  providers: [RegistrationService, DeviceRegistry],
  exports: [DeviceRegistry],
})
export class RegistrationModule {}
