import { DataSource, type DataSourceOptions } from 'typeorm';

/**
 * Runs pending migrations before the app serves. An advisory lock keyed by the schema makes
 * concurrent replicas wait for the first one instead of racing; the schema is created first
 * because the migrations table lives in it.
 */
export async function runMigrations(
  options: DataSourceOptions & { schema?: string },
): Promise<string[]> {
  const schema = options.schema ?? 'public';
  const dataSource = new DataSource({
    ...options,
    extra: { ...(options.extra as object), max: 2 },
  });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`raqeem:migrations:${schema}`]);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [
        `raqeem:migrations:${schema}`,
      ]);
    }
  } finally {
    await runner.release();
    await dataSource.destroy();
  }
}

export async function revertLastMigration(options: DataSourceOptions): Promise<void> {
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  try {
    await dataSource.undoLastMigration({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
