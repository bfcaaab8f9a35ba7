import { errorBody, SqlPool } from '@app/platform';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { DevicesConfig } from '../config/devices.config';
import type { CreateWebhookDto } from './dto/create-webhook.dto';
import type { UpdateWebhookDto } from './dto/update-webhook.dto';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';
import { generateWebhookSecret, webhookSecretKey } from './webhook-secret';
import { WebhookSubscriptions } from './webhook-subscriptions.service';
import { webhookUrlProblem } from './webhook-url';
import { DROP_QUEUED } from './webhooks.sql';

/** The endpoint registry: operators' changes, each applied to the subscription cache at once. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectRepository(WebhookEndpointEntity)
    private readonly endpoints: Repository<WebhookEndpointEntity>,
    private readonly pool: SqlPool,
    private readonly config: DevicesConfig,
    private readonly subscriptions: WebhookSubscriptions,
  ) {}

  /** Registers an endpoint; the answer holds its secret, which is never shown again. */
  async create(
    dto: CreateWebhookDto,
  ): Promise<{ endpoint: WebhookEndpointEntity; secret: string }> {
    this.checkUrl(dto.url);
    const secret = dto.secret ?? generateWebhookSecret();
    checkSecret(secret);
    const id = randomUUID();
    await this.endpoints.insert({
      id,
      url: dto.url,
      events: unique(dto.events),
      description: dto.description ?? null,
      enabled: dto.enabled ?? true,
      secret,
    });
    await this.subscriptions.changed();
    return { endpoint: await this.get(id), secret };
  }

  list(): Promise<WebhookEndpointEntity[]> {
    return this.endpoints.find({ order: { created_at: 'ASC', id: 'ASC' } });
  }

  async get(id: string): Promise<WebhookEndpointEntity> {
    const endpoint = await this.endpoints.findOneBy({ id });
    if (!endpoint) throw new NotFoundException(errorBody(404, `Webhook ${id} not found`));
    return endpoint;
  }

  /**
   * Changes what is given. A new secret rotates: the current one keeps signing, beside the new
   * one, for WEBHOOK_SECRET_GRACE. Enabling a disabled endpoint clears its failure clock.
   */
  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookEndpointEntity> {
    const current = await this.get(id);
    if (dto.url !== undefined) this.checkUrl(dto.url);
    const changes: Partial<WebhookEndpointEntity> = { updated_at: new Date() };
    if (dto.url !== undefined) changes.url = dto.url;
    if (dto.events !== undefined) changes.events = unique(dto.events);
    if (dto.description !== undefined) changes.description = dto.description;
    if (dto.enabled !== undefined) {
      changes.enabled = dto.enabled;
      if (dto.enabled && !current.enabled) {
        changes.disabled_reason = null;
        changes.failing_since = null;
      }
    }
    if (dto.secret !== undefined) {
      checkSecret(dto.secret);
      Object.assign(changes, await this.rotation(id, dto.secret));
    }
    await this.endpoints.update({ id }, changes);
    await this.subscriptions.changed();
    return this.get(id);
  }

  /** A new generated secret, shown once; the old one signs too for the grace period. */
  async rotate(id: string): Promise<{ endpoint: WebhookEndpointEntity; secret: string }> {
    await this.get(id);
    const secret = generateWebhookSecret();
    await this.endpoints.update(
      { id },
      { ...(await this.rotation(id, secret)), updated_at: new Date() },
    );
    return { endpoint: await this.get(id), secret };
  }

  async remove(id: string): Promise<void> {
    await this.pool.transaction(async (client, manager) => {
      const { affected } = await manager.delete(WebhookEndpointEntity, { id });
      if (!affected) throw new NotFoundException(errorBody(404, `Webhook ${id} not found`));
      await client.query(DROP_QUEUED, [id]);
    });
    await this.subscriptions.changed();
  }

  private async rotation(id: string, secret: string): Promise<Partial<WebhookEndpointEntity>> {
    const stored = await this.endpoints.findOne({
      where: { id },
      select: { id: true, secret: true },
    });
    return {
      secret,
      previous_secret: stored!.secret,
      previous_secret_expires_at: new Date(Date.now() + this.config.WEBHOOK_SECRET_GRACE),
    };
  }

  private checkUrl(url: string): void {
    const problem = webhookUrlProblem(url, {
      allowHttp: this.config.WEBHOOK_ALLOW_HTTP,
      allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE,
    });
    if (problem) throw badField('url', problem);
  }
}

function checkSecret(secret: string): void {
  if (!webhookSecretKey(secret)) {
    throw badField('secret', 'secret must be whsec_ followed by 24 to 64 bytes in base64');
  }
}

function badField(field: string, message: string): BadRequestException {
  return new BadRequestException(errorBody(400, message, [{ field, errors: [message] }]));
}

function unique(events: string[]): string[] {
  return [...new Set(events)];
}
