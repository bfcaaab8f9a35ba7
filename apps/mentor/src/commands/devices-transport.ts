import {
  distinctRequestIds,
  OutboundHttp,
  recordsOf,
  type ClaimedMessage,
  type DeliveryTransport,
  type SendOutcome,
} from '@app/delivery';
import { Injectable } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';

export const INTERNAL_COMMANDS_PATH = '/api/v1/internal/commands';

/** Hands commands to the Devices service's internal endpoint, signed with the service token. */
@Injectable()
export class DevicesTransport implements DeliveryTransport {
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: MentorConfig,
    private readonly http: OutboundHttp,
  ) {
    this.headers = { authorization: `Bearer ${config.MENTOR_API_TOKEN}` };
  }

  async send(_topic: string, messages: ClaimedMessage[]): Promise<SendOutcome> {
    const url = new URL(INTERNAL_COMMANDS_PATH, this.config.DEVICES_API_URL);
    const answer = await this.http.postJson(url, JSON.stringify(messages.flatMap(recordsOf)), {
      receiver: 'devices',
      requestIds: distinctRequestIds(messages),
      headers: this.headers,
    });
    return answer.outcome;
  }
}
