import { Module } from '@nestjs/common';
import { DeviceAuthModule } from '../auth/auth.module';
import { ForwardingModule } from '../forwarding/forwarding.module';
import { WebhookEventsModule } from '../webhooks/webhook-events.module';
import { RegistrationModule } from '../registration/registration.module';
import { ScreenshotsController } from './screenshots.controller';
import { ScreenshotsService } from './screenshots.service';

@Module({
  imports: [ForwardingModule, WebhookEventsModule, RegistrationModule, DeviceAuthModule],
  controllers: [ScreenshotsController],
  providers: [ScreenshotsService],
})
export class ScreenshotsModule {}
