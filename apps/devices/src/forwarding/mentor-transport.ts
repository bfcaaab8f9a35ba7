import { MENTOR_INGEST_PATHS, type DataType } from '@app/contracts';
import {
  distinctRequestIds,
  OutboundHttp,
  recordsOf,
  type ClaimedMessage,
  type DeliveryTransport,
  type SendOutcome,
} from '@app/delivery';
import { BLOB_STORE, blobKey, type BlobStore } from '@app/platform';
import { Inject, Injectable } from '@nestjs/common';
import { DevicesConfig } from '../config/devices.config';

/**
 * Screenshot requests carry their images (base64); a batch is split into requests of at most
 * this many bytes of JSON (one image alone may exceed it), well below the mentor's BODY_LIMIT.
 */
export const SCREENSHOT_REQUEST_BYTES = 8 * 1_048_576;

/**
 * Sends one topic's batch to the mentor endpoint of the reference table as a JSON array,
 * signed with the service token; the records' request ids travel along (see requestIdHeaders).
 */
@Injectable()
export class MentorTransport implements DeliveryTransport {
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: DevicesConfig,
    private readonly http: OutboundHttp,
    @Inject(BLOB_STORE) private readonly images: BlobStore,
  ) {
    this.headers = { authorization: `Bearer ${config.MENTOR_API_TOKEN}` };
  }

  async send(topic: string, messages: ClaimedMessage[]): Promise<SendOutcome> {
    const path = MENTOR_INGEST_PATHS[topic as DataType];
    if (!path) return { kind: 'permanent', reason: `no mentor endpoint for topic ${topic}` };
    if (topic !== 'screenshots') {
      return this.post(path, messages, JSON.stringify(messages.flatMap(recordsOf)));
    }
    return this.sendScreenshots(path, messages);
  }

  /**
   * The image travels with its record, read from the store at send time so the outbox holds
   * metadata only. The batch goes out in size-bounded requests, one after another; the first
   * failure is the batch's outcome (what was delivered before it is absorbed on redelivery).
   */
  private async sendScreenshots(path: string, messages: ClaimedMessage[]): Promise<SendOutcome> {
    let chunk: string[] = [];
    let chunkMessages: ClaimedMessage[] = [];
    let size = 2;
    const flush = async (): Promise<SendOutcome> => {
      if (chunk.length === 0) return { kind: 'delivered' };
      const outcome = await this.post(path, chunkMessages, `[${chunk.join(',')}]`);
      chunk = [];
      chunkMessages = [];
      size = 2;
      return outcome;
    };
    for (const message of messages) {
      const payload = message.payload as { sha256?: string };
      let image: Buffer | undefined;
      try {
        image = payload.sha256 ? await this.images.get(blobKey(payload.sha256)) : undefined;
      } catch (error) {
        return { kind: 'transient', reason: `image store: ${String(error)}` };
      }
      if (!image) {
        return { kind: 'permanent', reason: `image ${payload.sha256 ?? '?'} is not in the store` };
      }
      const text = JSON.stringify({ ...payload, image_base64: image.toString('base64') });
      if (chunk.length > 0 && size + text.length + 1 > SCREENSHOT_REQUEST_BYTES) {
        const outcome = await flush();
        if (outcome.kind !== 'delivered') return outcome;
      }
      chunk.push(text);
      chunkMessages.push(message);
      size += text.length + 1;
    }
    return flush();
  }

  private async post(path: string, messages: ClaimedMessage[], body: string): Promise<SendOutcome> {
    const answer = await this.http.postJson(new URL(path, this.config.MENTOR_API_URL), body, {
      receiver: 'mentor',
      requestIds: distinctRequestIds(messages),
      headers: this.headers,
    });
    return answer.outcome;
  }
}
