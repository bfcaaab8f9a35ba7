import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeviceAuthModule } from '../auth/auth.module';
import { ForwardingModule } from '../forwarding/forwarding.module';
import { WebhookEventsModule } from '../webhooks/webhook-events.module';
import { DeviceInventoryController } from './device-inventory.controller';
import { DeviceRegistry } from './device-registry.service';
import { RegistrationController } from './registration.controller';
import { RegistrationService } from './registration.service';
import { DeviceEntity } from './device.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([DeviceEntity]),
    ForwardingModule,
    WebhookEventsModule,
    DeviceAuthModule,
  ],
  controllers: [RegistrationController, DeviceInventoryController],
  providers: [RegistrationService, DeviceRegistry],
  exports: [DeviceRegistry],
})
export class RegistrationModule {}
