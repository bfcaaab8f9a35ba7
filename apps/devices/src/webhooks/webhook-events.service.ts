import {
  DeliveryChannel,
  InjectDeliveryChannel,
  type DeadLetter,
  type SqlExecutor,
} from '@app/delivery';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { WEBHOOK_CHANNEL, type WebhookEventType } from './webhook-event-types';
import { WebhookPacer } from './webhook-pacer';
import { WebhookSubscriptions } from './webhook-subscriptions.service';
import { EMIT_EVENT } from './webhooks.sql';

/** A request's records, as telemetry ingest holds them. */
interface TelemetryJob {
  records: { id: string; deviceid?: unknown }[];
}

/** The telemetry ingest statement's webhook parameters for one group (see telemetryEventCtes). */
export interface TelemetryEvents {
  /** The group's records as one JSON array, built from the requests' own arrays. */
  doc: string;
  values: unknown[];
}

/** A new event id (the `webhook-id` of its every delivery). */
export function newEventId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/**
 * Writes webhook events inside the producer's transaction, so an event exists if and only if
 * the data it announces was committed; nothing at all when no enabled endpoint subscribes.
 */
@Injectable()
export class WebhookEvents {
  constructor(
    private readonly subscriptions: WebhookSubscriptions,
    private readonly pacer: WebhookPacer,
    @InjectDeliveryChannel(WEBHOOK_CHANNEL) private readonly channel: DeliveryChannel,
  ) {}

  subscribed(type: WebhookEventType): boolean {
    return this.subscriptions.endpointsFor(type).length > 0;
  }

  /** Queues one event for its subscribers with the caller's client; false when there are none. */
  async emit(
    client: SqlExecutor,
    type: WebhookEventType,
    data: Record<string, unknown>,
    requestId: string | null = null,
  ): Promise<boolean> {
    const endpoints = this.subscriptions.endpointsFor(type);
    if (endpoints.length === 0) return false;
    await client.query(EMIT_EVENT, [
      newEventId(),
      type,
      JSON.stringify(data),
      endpoints,
      requestId,
    ]);
    return true;
  }

  /**
   * A telemetry group's event parameters, or undefined when nobody subscribes to `type`: one
   * event per request, carrying that request's records (`{deviceid, records}`); a record the
   * group already holds from an earlier request is left out, as the ingest statement does.
   * `waiting`: requests queued behind this write; with them (or a group of several) ingest is
   * saturated, and deliveries of every event yield to it (WebhookPacer), subscribed or not.
   */
  telemetryEvents(
    type: WebhookEventType,
    jobs: TelemetryJob[],
    waiting = 0,
  ): TelemetryEvents | undefined {
    // Whatever this kind's subscribers: deliveries queued for any event yield to ingest.
    if (waiting > 0 || jobs.length > 1) this.pacer.ingestBacklogged();
    const endpoints = this.subscriptions.endpointsFor(type);
    if (endpoints.length === 0) return undefined;
    return telemetryEventValues(jobs, endpoints);
  }

  /** An endpoint's events that failed for WEBHOOK_DEAD_LETTER_AFTER, newest first. */
  deadLetters(endpointId: string, limit: number, beforeId?: string): Promise<DeadLetter[]> {
    return this.channel.deadLetters({ limit, beforeId, topic: endpointId });
  }

  /** Sends an endpoint's dead letters again, with a fresh retry window; returns how many. */
  replay(endpointId: string): Promise<number> {
    return this.channel.replay({ topic: endpointId });
  }

  /**
   * After the producer's commit: the relay sends at once (if anyone wants `type`). Not while
   * ingest queues: the relay's poll finds the events then, and ingest keeps its commits.
   */
  kick(type?: WebhookEventType): void {
    if (this.pacer.busy) return;
    if (type === undefined || this.subscribed(type)) this.channel.kick();
  }
}

/**
 * The ingest statement's webhook parameters for a group of requests (see telemetryEventCtes):
 * one event per request that brought a record not already earlier in the group, carrying those
 * records (`{deviceid, records}`), all kept in one row whose data is the group's document: the
 * group's records as one JSON array built from the requests' own arrays, in the same order, so
 * the records are neither sent twice nor parsed twice. The statement numbers the requests that
 * stored a record k = 1, 2, ...; event k's id is `<row id>_<k>`.
 */
export function telemetryEventValues(jobs: TelemetryJob[], endpoints: string[]): TelemetryEvents {
  const seen = new Set<string>();
  const parts: string[] = [];
  const devices: string[] = [];
  const starts: number[] = [];
  const lengths: number[] = [];
  const owners: number[] = [];
  // 1-based byte position in the document, past its opening bracket.
  let at = 2;
  for (const job of jobs) {
    const mine = job.records.filter((r) => !seen.has(r.id) && seen.add(r.id));
    if (mine.length === 0) continue;
    const text = JSON.stringify(mine).slice(1, -1);
    const bytes = Buffer.byteLength(text);
    parts.push(text);
    devices.push(JSON.stringify(mine[0].deviceid));
    starts.push(at);
    lengths.push(bytes);
    at += bytes + 1;
    for (let i = 0; i < mine.length; i++) owners.push(parts.length);
  }
  return {
    doc: `[${parts.join(',')}]`,
    values: [newEventId(), devices, starts, lengths, owners, endpoints],
  };
}
