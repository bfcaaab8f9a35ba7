import type { ClaimedMessage, DeliveryTransport, SendOutcome } from '../delivery.types';

export interface RecordedSend {
  topic: string;
  messages: ClaimedMessage[];
}

/**
 * A real DeliveryTransport for tests, scripted per call. It stands in for the relay's
 * collaborator (the HTTP client of a receiver), and records every request it was given.
 */
export class ScriptedTransport implements DeliveryTransport {
  readonly sends: RecordedSend[] = [];

  constructor(
    public respond: (
      topic: string,
      messages: ClaimedMessage[],
    ) => SendOutcome | Promise<SendOutcome> = () => ({ kind: 'delivered' }),
  ) {}

  async send(topic: string, messages: ClaimedMessage[]): Promise<SendOutcome> {
    this.sends.push({ topic, messages });
    return this.respond(topic, messages);
  }

  /** Record ids of every message sent, in order, repeats included. */
  sentRecordIds(): string[] {
    return this.sends.flatMap((s) => s.messages.map((m) => m.recordId));
  }
}
