import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { OperatorKeyGuard } from '../auth/operator-key.guard';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { DeliveryQueryDto } from './dto/delivery-query.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookDeliveries } from './webhook-deliveries.service';
import { WebhookEvents } from './webhook-events.service';
import { webhookView } from './webhook-view';
import { WebhooksService } from './webhooks.service';

const uuid = new ParseUUIDPipe({ version: '4' });

/** Webhook endpoints and their deliveries, for operators (X-API-Key). */
@ApiTags('webhooks')
@UseGuards(OperatorKeyGuard)
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly deliveries: WebhookDeliveries,
    private readonly events: WebhookEvents,
  ) {}

  /** The answer carries the endpoint's secret, shown this once. */
  @Post()
  async create(@Body() body: CreateWebhookDto): Promise<Record<string, unknown>> {
    const { endpoint, secret } = await this.webhooks.create(body);
    return { ...webhookView(endpoint), secret };
  }

  @Get()
  async list(): Promise<Record<string, unknown>[]> {
    return (await this.webhooks.list()).map(webhookView);
  }

  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<Record<string, unknown>> {
    return webhookView(await this.webhooks.get(id));
  }

  @Patch(':id')
  async update(
    @Param('id', uuid) id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<Record<string, unknown>> {
    return webhookView(await this.webhooks.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', uuid) id: string): Promise<void> {
    await this.webhooks.remove(id);
  }

  /** A new generated secret, shown this once; the old one keeps signing for the grace period. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  async rotate(@Param('id', uuid) id: string): Promise<Record<string, unknown>> {
    const { endpoint, secret } = await this.webhooks.rotate(id);
    return { ...webhookView(endpoint), secret };
  }

  @Post(':id/test')
  @HttpCode(202)
  async test(@Param('id', uuid) id: string): Promise<{ event_id: string }> {
    return { event_id: await this.deliveries.test(id) };
  }

  @Get(':id/deliveries')
  deliveryLog(
    @Param('id', uuid) id: string,
    @Query() query: DeliveryQueryDto,
  ): Promise<Record<string, unknown>[]> {
    return this.deliveries.list(id, query.limit, query.before);
  }

  /** Events that failed for WEBHOOK_DEAD_LETTER_AFTER (their attempts are in the log). */
  @Get(':id/dead-letters')
  async deadLetters(
    @Param('id', uuid) id: string,
    @Query() query: DeliveryQueryDto,
  ): Promise<Record<string, unknown>[]> {
    await this.webhooks.get(id);
    const rows = await this.events.deadLetters(id, query.limit, query.before);
    return rows.map((row) => ({
      id: row.id,
      event_id: row.recordId,
      event_type: row.payload,
      attempts: row.attempts,
      created_at: row.createdAt,
      dead_at: row.deadAt,
      reason: row.reason,
    }));
  }

  @Post(':id/dead-letters/replay')
  @HttpCode(202)
  async replay(@Param('id', uuid) id: string): Promise<{ replayed: number }> {
    await this.webhooks.get(id);
    return { replayed: await this.events.replay(id) };
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  async redeliver(
    @Param('id', uuid) id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<{ event_id: string }> {
    return { event_id: await this.deliveries.redeliver(id, checkDeliveryId(deliveryId)) };
  }

  @Post(':id/events/:eventId/redeliver')
  @HttpCode(202)
  async redeliverEvent(
    @Param('id', uuid) id: string,
    @Param('eventId') eventId: string,
  ): Promise<{ event_id: string }> {
    return { event_id: await this.deliveries.redeliverEvent(id, eventId) };
  }
}

function checkDeliveryId(id: string): string {
  return /^\d{1,18}$/.test(id) ? id : '0';
}
