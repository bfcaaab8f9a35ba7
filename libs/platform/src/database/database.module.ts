import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { SqlPool } from './sql-pool';

/**
 * A service's database: TypeORM's data source (entities and repositories, through
 * `TypeOrmModule.forFeature` in each feature module) and the SqlPool for the paths that keep
 * hand-written SQL, both on the one connection pool of DATABASE_POOL_SIZE. TypeORM closes the
 * pool when the application shuts down.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DataSourceOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [TypeOrmModule.forRoot(options)],
      providers: [SqlPool],
      exports: [SqlPool],
    };
  }
}
