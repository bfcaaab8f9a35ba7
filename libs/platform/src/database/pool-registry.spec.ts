import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { adminDatabaseUrl } from '@app/testing/pg';
import { poolCounts } from './pool-registry';
import { typeOrmOptions } from './typeorm-options';

describe('the pools behind db_pool_connections', () => {
  it("counts a data source's connections while it is open and forgets its pool once destroyed", async () => {
    const before = poolCounts();
    const dataSource = new DataSource(
      typeOrmOptions({
        url: adminDatabaseUrl(),
        schema: 'public',
        poolSize: 3,
        entities: [],
        migrations: [],
      }),
    );
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    const during = poolCounts();
    assert.equal(during.total - during.idle - (before.total - before.idle), 1, 'one in use');
    await runner.release();
    // TypeORM ends its pool with a callback: destroy() must come back.
    await dataSource.destroy();
    assert.deepEqual(poolCounts(), before);
  });
});
