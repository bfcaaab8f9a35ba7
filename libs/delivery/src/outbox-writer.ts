import type { OutboxMessage, SqlExecutor } from './delivery.types';
import { INSERT_MESSAGES } from './outbox.sql';

/**
 * Writes messages into the outbox. Callers pass the client of the transaction that writes the
 * record itself, so the record and its outbox row commit (or roll back) together; after the
 * commit they call the channel relay's kick() so delivery starts without waiting for a poll.
 */
export class OutboxWriter {
  /** One multi-row insert whatever the batch size: one round trip inside the caller's transaction. */
  async enqueue(executor: SqlExecutor, messages: OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await executor.query(INSERT_MESSAGES, [
      messages.map((m) => m.channel),
      messages.map((m) => m.topic),
      messages.map((m) => m.recordId),
      // node-postgres would turn nested arrays/objects into PostgreSQL array literals, so each
      // payload goes in as JSON text; undefined becomes JSON null rather than a SQL NULL.
      messages.map((m) => JSON.stringify(m.payload ?? null)),
      messages.map((m) => m.requestId ?? null),
      messages.map((m) => (m.bundle ? bundleSize(m) : null)),
    ]);
  }
}

function bundleSize(message: OutboxMessage): number {
  if (!Array.isArray(message.payload) || message.payload.length === 0) {
    throw new TypeError(`delivery: bundle ${message.recordId} needs a non-empty array payload`);
  }
  return message.payload.length;
}
