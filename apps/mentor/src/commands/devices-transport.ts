import type { ClaimedMessage, DeliveryTransport, SendOutcome } from '@app/delivery';
import { postForDelivery, recordsOf, requestIdsOf } from '@app/delivery';
import { randomUUID } from 'node:crypto';

export const INTERNAL_COMMANDS_PATH = '/api/v1/internal/commands';

/** Hands commands to the Devices service's internal endpoint, signed with the service token. */
export class DevicesTransport implements DeliveryTransport {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  send(_topic: string, messages: ClaimedMessage[]): Promise<SendOutcome> {
    const origins = [...new Set(messages.flatMap(requestIdsOf))];
    return postForDelivery(
      new URL(INTERNAL_COMMANDS_PATH, this.baseUrl),
      JSON.stringify(messages.flatMap(recordsOf)),
      {
        authorization: `Bearer ${this.token}`,
        'x-request-id': origins.length === 1 ? origins[0] : `relay-${randomUUID()}`,
      },
      this.timeoutMs,
      'devices',
    );
  }
}
