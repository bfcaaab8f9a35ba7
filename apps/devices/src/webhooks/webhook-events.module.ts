import { DeliveryModule } from '@app/delivery';
import { Module } from '@nestjs/common';
import { webhookChannel } from './webhook-channel';
import { WebhookEvents } from './webhook-events.service';
import { WebhookPacerModule } from './webhook-pacer.module';
import { WebhookSubscriptions } from './webhook-subscriptions.service';

/**
 * What producers need to write webhook events (imported by registration, telemetry,
 * screenshots and commands) and the delivery channel that sends them.
 */
@Module({
  imports: [DeliveryModule.forChannel(webhookChannel), WebhookPacerModule],
  providers: [WebhookSubscriptions, WebhookEvents],
  exports: [WebhookSubscriptions, WebhookEvents],
})
export class WebhookEventsModule {}
