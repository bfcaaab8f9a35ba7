import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { DEVICES_ENTITIES, devicesDataSourceOptions } from './devices-data-source';

describe('Devices entities', () => {
  it('describe the migrated schema exactly: the schema builder would change nothing but the export cursor column', async () => {
    const db = await MigrationDatabase.open('devices_entities_schema', (url) =>
      devicesDataSourceOptions(url, 'devices', 2),
    );
    try {
      await db.migrateTo();
      assert.ok(DEVICES_ENTITIES.length > 0);
      // devices.tx (the export cursor, migration 1763900000000) is xid8, a type TypeORM cannot
      // map, so DeviceEntity leaves it out and the builder would drop it; nothing else differs.
      assert.deepEqual(await db.pendingSchemaChanges(), ['ALTER TABLE "devices" DROP COLUMN "tx"']);
    } finally {
      await db.close();
    }
  });
});
