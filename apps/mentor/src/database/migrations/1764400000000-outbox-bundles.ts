import { outboxBundlesDownSql, outboxBundlesUpSql } from '@app/delivery';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox rows that carry a bundle of records (see outboxBundlesUpSql in libs/delivery). */
export class OutboxBundles1764400000000 implements MigrationInterface {
  name = 'OutboxBundles1764400000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of outboxBundlesUpSql()) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of outboxBundlesDownSql()) await db.query(sql);
  }
}
