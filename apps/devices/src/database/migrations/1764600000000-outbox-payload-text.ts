import { outboxPayloadTextDownSql, outboxPayloadTextUpSql } from '@app/delivery';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox payload as json text (see outboxPayloadTextUpSql in libs/delivery). */
export class OutboxPayloadText1764600000000 implements MigrationInterface {
  name = 'OutboxPayloadText1764600000000';

  async up(db: QueryRunner): Promise<void> {
    for (const sql of outboxPayloadTextUpSql()) await db.query(sql);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const sql of outboxPayloadTextDownSql()) await db.query(sql);
  }
}
