import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pgPoolOf } from '../database/pg-pool';
import { MetricsService } from './metrics.service';

/**
 * `db_pool_connections{state}`: the service's PostgreSQL pool at scrape time. `in_use` near the
 * pool size with `waiting` above zero means requests queue for a connection (raise
 * DATABASE_POOL_SIZE or the database's capacity); read from the pool, no query is made.
 */
@Injectable()
export class DatabasePoolMetrics {
  constructor(metrics: MetricsService, dataSource: DataSource) {
    const pool = pgPoolOf(dataSource);
    metrics.gauge(
      'db_pool_connections',
      'Database pool connections in use and idle, and requests waiting for one',
      ['state'],
      function () {
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    );
  }
}
