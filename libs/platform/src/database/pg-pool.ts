import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The node-postgres pool under TypeORM. Hot paths (group-committed inserts, SKIP LOCKED claims)
 * use it directly: plain SQL with arrays is clearer and several times faster there, and sharing
 * the pool keeps one set of connections per process.
 */
export function pgPoolOf(dataSource: DataSource): Pool {
  const driver = dataSource.driver as unknown as { master?: Pool };
  if (!driver.master) throw new Error('The TypeORM data source is not a connected postgres source');
  return driver.master;
}
