import { Injectable } from '@nestjs/common';
import { poolCounts } from '../database/pool-registry';
import { MetricsService } from './metrics.service';

/**
 * `db_pool_connections{state}`: the service's PostgreSQL pool at scrape time. `in_use` near the
 * pool size with `waiting` above zero means requests queue for a connection (raise
 * DATABASE_POOL_SIZE or the database's capacity); read from the pool, no query is made.
 */
@Injectable()
export class DatabasePoolMetrics {
  constructor(metrics: MetricsService) {
    metrics.gauge(
      'db_pool_connections',
      'Database pool connections in use and idle, and requests waiting for one',
      ['state'],
      function () {
        const pool = poolCounts();
        this.set({ state: 'in_use' }, pool.total - pool.idle);
        this.set({ state: 'idle' }, pool.idle);
        this.set({ state: 'waiting' }, pool.waiting);
      },
    );
  }
}
