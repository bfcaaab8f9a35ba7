import 'reflect-metadata';
import {
  ConfigError,
  loadConfig,
  resolveDatabase,
  revertLastMigration,
  runMigrations,
} from '@app/platform';
import type { DataSourceOptions } from 'typeorm';
import { DevicesConfig } from '../apps/devices/src/config/devices.config';
import { devicesDataSourceOptions } from '../apps/devices/src/database/devices-data-source';
import { MentorConfig } from '../apps/mentor/src/config/mentor.config';
import { mentorDataSourceOptions } from '../apps/mentor/src/database/mentor-data-source';

/**
 * `npm run migration:run [devices|mentor]` and `npm run migration:revert [devices|mentor]`:
 * the explicit migration step (Kubernetes runs it before a rollout). Uses the same config and
 * data-source options as the services, so it migrates exactly what they will use.
 */
const SERVICES = {
  devices: () => {
    const c = loadConfig(DevicesConfig);
    return { config: c, options: (url: string) => devicesDataSourceOptions(url, c.DB_SCHEMA, 2) };
  },
  mentor: () => {
    const c = loadConfig(MentorConfig);
    return { config: c, options: (url: string) => mentorDataSourceOptions(url, c.DB_SCHEMA, 2) };
  },
};

async function main(): Promise<void> {
  const [action, only] = process.argv.slice(2);
  if (action !== 'run' && action !== 'revert')
    throw new Error('usage: migrate.js run|revert [devices|mentor]');
  const names = only ? [only] : Object.keys(SERVICES);
  for (const name of names) {
    const factory = SERVICES[name as keyof typeof SERVICES];
    if (!factory) throw new Error(`unknown service ${name}; use devices or mentor`);
    const { config, options } = factory();
    const db = await resolveDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      service: name,
    });
    try {
      const dataSource: DataSourceOptions = options(db.url);
      if (action === 'run') {
        const applied = await runMigrations(dataSource);
        console.log(`${name}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
      } else {
        await revertLastMigration(dataSource);
        console.log(`${name}: reverted the last migration`);
      }
    } finally {
      await db.embedded?.stop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError || error instanceof Error ? error.message : String(error),
  );
  process.exit(1);
});
