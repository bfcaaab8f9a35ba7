import { MigrationDatabase } from '@app/testing/migration-database';
import assert from 'node:assert/strict';
import { MENTOR_ENTITIES, mentorDataSourceOptions } from './mentor-data-source';

describe('Mentor entities', () => {
  it('describe the migrated schema exactly: the schema builder finds nothing to change', async () => {
    const db = await MigrationDatabase.open('mentor_entities_schema', (url) =>
      mentorDataSourceOptions(url, 'mentor', 2),
    );
    try {
      await db.migrateTo();
      assert.ok(MENTOR_ENTITIES.length > 0);
      assert.deepEqual(await db.pendingSchemaChanges(), []);
    } finally {
      await db.close();
    }
  });
});
