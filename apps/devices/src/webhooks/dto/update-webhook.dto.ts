import { PartialType } from '@nestjs/swagger';
import { CreateWebhookDto } from './create-webhook.dto';

/**
 * PATCH /api/v1/webhooks/{id}: any field of the create body, each optional and checked by the
 * same rules; a new `secret` rotates (the old one signs through the grace).
 */
export class UpdateWebhookDto extends PartialType(CreateWebhookDto) {}
