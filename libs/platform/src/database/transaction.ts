import type { PoolClient } from 'pg';
import { withClient, type ClientSource } from './client-source';

/** Runs `work` in one transaction on a pooled connection; rolls back on any error. */
export async function withTransaction<T>(
  source: ClientSource,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(source, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
