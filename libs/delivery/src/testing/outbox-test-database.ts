import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import { Client, Pool } from 'pg';
import type { OutboxMessage, SqlExecutor } from '../delivery.types';
import { outboxBundlesUpSql, outboxPayloadTextUpSql, outboxUpSql } from '../outbox-schema';
import { OutboxWriter } from '../outbox-writer';

const SCHEMA = 'delivery';

export interface OutboxTestDatabase {
  /** The database's URL; connections reach the engine's tables through `searchPath`. */
  url: string;
  searchPath: string;
  pool: Pool;
  executor: SqlExecutor;
  /** Enqueues `count` messages `<prefix>-<n>` on a channel/topic, as a producer would. */
  enqueue(channel: string, topic: string, recordIds: string[]): Promise<void>;
  /** Enqueues one bundle holding records `recordIds`, as a producer writing groups would. */
  enqueueBundle(
    channel: string,
    topic: string,
    recordIds: string[],
    requestId?: string,
  ): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh database with the engine's tables in their own schema, reached through search_path
 * the way an app reaches its schema. One per spec file.
 */
export async function openOutboxTestDatabase(prefix: string): Promise<OutboxTestDatabase> {
  const { name, url } = await createTestDatabase(prefix);
  const setup = new Client({ connectionString: url });
  await setup.connect();
  try {
    await setup.query(`CREATE SCHEMA ${SCHEMA}`);
    await setup.query(`SET search_path = ${SCHEMA}`);
    for (const statement of [
      ...outboxUpSql(),
      ...outboxBundlesUpSql(),
      ...outboxPayloadTextUpSql(),
    ]) {
      await setup.query(statement);
    }
  } finally {
    await setup.end();
  }
  const pool = new Pool({ connectionString: url, max: 12, options: `-c search_path=${SCHEMA}` });
  const executor: SqlExecutor = pool;
  const writer = new OutboxWriter();
  return {
    url,
    searchPath: SCHEMA,
    pool,
    executor,
    enqueue: async (channel, topic, recordIds) => {
      const messages: OutboxMessage[] = recordIds.map((recordId) => ({
        channel,
        topic,
        recordId,
        payload: { id: recordId, note: `it's "quoted" \\ and {braced}` },
      }));
      await writer.enqueue(executor, messages);
    },
    enqueueBundle: async (channel, topic, recordIds, requestId) => {
      const payload = recordIds.map((id) => ({ id, note: 'bundled' }));
      await writer.enqueue(executor, [
        { channel, topic, recordId: recordIds[0], payload, requestId, bundle: true },
      ]);
    },
    close: async () => {
      await pool.end();
      await dropTestDatabase(name);
    },
  };
}

export function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

export { waitFor } from '@app/testing/wait-for';
