import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { registeredPg } from './pool-registry';

export interface DatabaseSettings {
  url: string;
  /** The PostgreSQL schema this service owns; every table lives in it. */
  schema: string;
  poolSize: number;
  entities: MixedList<string | (new () => unknown) | EntitySchema>;
  migrations: MixedList<string | (new () => unknown)>;
}

/**
 * TypeORM settings shared by the app and the migration CLI. `search_path` is the service's own
 * schema, so raw SQL stays unqualified and two services can share one database if they must.
 */
export function typeOrmOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    schema: settings.schema,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTableName: 'migrations',
    // The schema is the reviewed SQL of the migrations: TypeORM never changes it, nor installs
    // extensions at start (generated uuids use PostgreSQL's built-in gen_random_uuid()).
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    // A failed query reaches the caller as an exception; TypeORM's own log of it would print its
    // parameters, which can hold password and token hashes.
    logging: false,
    // node-postgres with pools the `db_pool_connections` metric can read.
    driver: registeredPg,
    extra: {
      max: settings.poolSize,
      // random_page_cost 1.1: storage is SSD-class today; with the default (4, for spinning
      // disks) the planner seq-scanned 10M metric rows for a dense device's week (1.2 s)
      // instead of using the (deviceid, ts) index (0.3 s). See docs/query-performance.md.
      options: `-c search_path=${settings.schema} -c random_page_cost=1.1`,
      // Fail fast rather than pile up requests when the pool is exhausted or the DB is gone.
      connectionTimeoutMillis: 5000,
      application_name: `raqeem-${settings.schema}`,
    },
  };
}
