import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookDeliveries } from './webhook-deliveries.service';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { WebhookEventsModule } from './webhook-events.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** The operators' side of webhooks: the endpoint registry, delivery logs, redelivery, tests. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpointEntity]), WebhookEventsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookDeliveries],
})
export class WebhooksModule {}
