import type { DataType, DeadLetterQueryDto, ReplayRequestDto } from '@app/contracts';
import {
  backlogFields,
  DeliveryChannel,
  InjectDeliveryChannel,
  type BacklogStats,
  type ChannelMessage,
  type DeadLetter,
  type DeliveryHealth,
  type ReplaySelector,
  type SqlExecutor,
} from '@app/delivery';
import { errorBody } from '@app/platform';
import { BadRequestException, Injectable } from '@nestjs/common';
import { DevicesConfig } from '../config/devices.config';
import { MENTOR_CHANNEL } from './mentor-channel';

/**
 * Durable hand-off to the mentor, as Devices' producers and operators use it: the mentor
 * delivery channel with the record types as topics. Producers call `enqueue` inside their own
 * transaction and `kick` after commit. Without MENTOR_API_URL nothing is queued.
 */
@Injectable()
export class ForwardingService {
  constructor(
    private readonly config: DevicesConfig,
    @InjectDeliveryChannel(MENTOR_CHANNEL) private readonly channel: DeliveryChannel,
  ) {}

  get enabled(): boolean {
    return this.channel.enabled;
  }

  forwards(type: DataType): boolean {
    return this.channel.accepts(type);
  }

  /**
   * Where the outbox rows of `type` go, for a producer writing them in its own statement
   * (insertMessagesFrom); undefined when the type is not forwarded.
   */
  outboxTarget(type: DataType): { channel: string; topic: DataType } | undefined {
    return this.forwards(type) ? { channel: MENTOR_CHANNEL, topic: type } : undefined;
  }

  /** Queues records inside the caller's transaction; types that are not forwarded are skipped. */
  async enqueue(
    client: SqlExecutor,
    type: DataType,
    messages: Omit<ChannelMessage, 'topic'>[],
  ): Promise<void> {
    await this.channel.enqueue(
      client,
      messages.map((message) => ({ ...message, topic: type })),
    );
  }

  /** Call after the producer's commit, so the relay picks the rows up at once. */
  kick(): void {
    this.channel.kick();
  }

  async stats(): Promise<BacklogStats & { enabled: boolean; mentor_url: string | null }> {
    const base = await this.channel.stats();
    return { ...base, enabled: this.enabled, mentor_url: this.config.MENTOR_API_URL ?? null };
  }

  deadLetters(query: { limit: number; beforeId?: string; topic?: string }): Promise<DeadLetter[]> {
    return this.channel.deadLetters(query);
  }

  replay(selector: ReplaySelector): Promise<number> {
    return this.channel.replay(selector);
  }

  /** The backlog as the operator route and the Mentor's internal route answer it. */
  async backlogView(): Promise<Record<string, unknown>> {
    const s = await this.stats();
    const health = this.health();
    return {
      enabled: s.enabled,
      mentor_url: s.mentor_url,
      state: health?.state ?? null,
      state_reason: health?.reason ?? null,
      ...backlogFields(s),
    };
  }

  /** Dead letters, newest first, in their wire shape. */
  async deadLetterViews(query: DeadLetterQueryDto): Promise<Record<string, unknown>[]> {
    const rows = await this.deadLetters({
      limit: query.limit,
      beforeId: query.before,
      topic: query.type,
    });
    return rows.map((row) => ({
      id: row.id,
      type: row.topic,
      record_id: row.recordId,
      attempts: row.attempts,
      created_at: row.createdAt,
      dead_at: row.deadAt,
      reason: row.reason,
      payload: row.payload,
    }));
  }

  /** Replays what the request selects: exactly one of ids, type or all. */
  async replayRequested(body: ReplayRequestDto): Promise<{ replayed: number }> {
    const selectors = [body.ids !== undefined, body.type !== undefined, body.all === true];
    if (selectors.filter(Boolean).length !== 1) {
      throw new BadRequestException(
        errorBody(400, 'Give exactly one of ids, type or all: true', [
          { field: 'ids|type|all', errors: ['exactly one selector is required'] },
        ]),
      );
    }
    const replayed = await this.replay({ ids: body.ids, topic: body.type, all: body.all });
    return { replayed };
  }

  /** Forwarding's part of `/health` (see DeliveryChannel.healthSummary). */
  healthSummary(): Promise<Record<string, unknown>> {
    return this.channel.healthSummary();
  }

  /** This instance's delivery state, for the operator's backlog view. */
  health(): DeliveryHealth | undefined {
    return this.channel.health();
  }
}
