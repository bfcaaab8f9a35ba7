import * as pg from 'pg';

/** What `db_pool_connections` reports: the node-postgres pools this process has open. */
export interface PoolCounts {
  total: number;
  idle: number;
  waiting: number;
}

const openPools = new Set<pg.Pool>();

/**
 * node-postgres as TypeORM's `driver` option (public in its data source options), with a Pool
 * that registers itself here: the pool metrics read the pool's own counters without reaching
 * into TypeORM's driver.
 */
class RegisteredPool extends pg.Pool {
  constructor(config?: pg.PoolConfig) {
    super(config);
    openPools.add(this);
  }

  // TypeORM ends its pool with a callback, node-postgres users with a promise: keep both.
  override end(): Promise<void>;
  override end(callback: () => void): void;
  override end(callback?: () => void): Promise<void> | void {
    openPools.delete(this);
    return callback ? super.end(callback) : super.end();
  }
}

export const registeredPg = { ...pg, Pool: RegisteredPool };

export function poolCounts(): PoolCounts {
  const counts: PoolCounts = { total: 0, idle: 0, waiting: 0 };
  for (const pool of openPools) {
    counts.total += pool.totalCount;
    counts.idle += pool.idleCount;
    counts.waiting += pool.waitingCount;
  }
  return counts;
}
