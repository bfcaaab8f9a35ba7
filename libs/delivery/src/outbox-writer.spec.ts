import assert from 'node:assert/strict';
import { OutboxWriter } from './outbox-writer';
import { openOutboxTestDatabase, type OutboxTestDatabase } from './testing/outbox-test-database';

describe('OutboxWriter against PostgreSQL', () => {
  let db: OutboxTestDatabase;

  beforeAll(async () => {
    db = await openOutboxTestDatabase('delivery_writer');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores payloads and request ids as given, and runs no query for an empty batch', async () => {
    const writer = new OutboxWriter();
    let queries = 0;
    await writer.enqueue({ query: async () => ((queries += 1), { rows: [], rowCount: 0 }) }, []);
    assert.equal(queries, 0);
    const payload = { text: `it's "quoted" \\ {braced}`, list: [1, { a: null }] };
    await writer.enqueue(db.executor, [
      { channel: 'writer', topic: 't', recordId: 'w-1', payload, requestId: 'req-9' },
      { channel: 'writer', topic: 't', recordId: 'w-2', payload: undefined },
    ]);
    const { rows } = await db.pool.query(
      `SELECT record_id, payload, request_id, status, attempts FROM outbox
       WHERE channel = 'writer' ORDER BY id`,
    );
    assert.deepEqual(rows, [
      { record_id: 'w-1', payload, request_id: 'req-9', status: 'pending', attempts: 0 },
      { record_id: 'w-2', payload: null, request_id: null, status: 'pending', attempts: 0 },
    ]);
  });

  it('rolls back with the transaction that wrote the record', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await new OutboxWriter().enqueue(client, [
        { channel: 'writer-tx', topic: 't', recordId: 'gone', payload: {} },
      ]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const { rowCount } = await db.pool.query(`SELECT 1 FROM outbox WHERE channel = 'writer-tx'`);
    assert.equal(rowCount, 0);
  });
});
