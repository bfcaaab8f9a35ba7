import type { Pool, PoolClient } from 'pg';
import { SqlPool } from './sql-pool';

/** Where a connection comes from: the service's SqlPool, or a plain pool (tests and tools). */
export type ClientSource = SqlPool | Pool;

/** Runs `work` on one connection of `source` and gives it back afterwards, also on failure. */
export async function withClient<T>(
  source: ClientSource,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  if (source instanceof SqlPool) return source.withClient(work);
  const client = await source.connect();
  let broken: Error | undefined;
  // A checked-out client has no error listener: a connection dropped between two statements
  // (a database restart, pg_terminate_backend) would otherwise crash the process.
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
