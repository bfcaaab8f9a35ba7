import { Injectable } from '@nestjs/common';
import type { PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * Hand-written SQL on the process's one connection pool (TypeORM's), for the paths that keep
 * their SQL: group-committed inserts, outbox claims, batch ingest, downsampled reads, exports.
 * Each unit of work takes a connection through TypeORM's public QueryRunner and runs
 * node-postgres queries on it, so array parameters and named prepared statements work as
 * before, and a connection is never held twice. See libs/platform/src/database/README.md.
 */
@Injectable()
export class SqlPool {
  constructor(private readonly dataSource: DataSource) {}

  /** One statement on a pooled connection. */
  query<R = Record<string, unknown>>(
    text: string | QueryConfig,
    values?: unknown[],
  ): Promise<QueryResult<R & QueryResultRow>> {
    return this.withClient((client) => client.query<R & QueryResultRow>(text, values));
  }

  /** Runs `work` on one pooled connection and gives it back afterwards, also on failure. */
  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      // QueryRunner.connect() returns the driver's connection: node-postgres's pooled client.
      const client = (await runner.connect()) as PoolClient;
      return await work(client);
    } finally {
      await runner.release();
    }
  }

  /**
   * One transaction in which hand-written SQL (`client`) and repositories (`manager`) take part
   * together, on the same connection: a row saved through an entity and the outbox message
   * announcing it commit or roll back as one.
   */
  async transaction<T>(
    work: (client: PoolClient, manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction();
      try {
        const result = await work(client, runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }
}
