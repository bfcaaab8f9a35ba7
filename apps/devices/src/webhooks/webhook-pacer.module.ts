import { Module } from '@nestjs/common';
import { WebhookPacer } from './webhook-pacer';

/** The one WebhookPacer, shared by the producers (who report ingest backlog) and the transport. */
@Module({ providers: [WebhookPacer], exports: [WebhookPacer] })
export class WebhookPacerModule {}
