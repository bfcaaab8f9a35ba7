import { DatabaseModule, MetricsModule, MetricsService } from '@app/platform';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { DeliveryChannel } from './delivery-channel';
import {
  deliveryChannelToken,
  type DeliveryChannelDefinition,
  type DeliveryChannelSettings,
} from './delivery-channel.definition';
import type { ClaimedMessage, DeliveryTransport, SendOutcome } from './delivery.types';
import { DeliveryModule } from './delivery.module';
import { OutboundHttp } from './outbound-http';
import { recordsOf } from './outbox-bundle';
import {
  openOutboxTestDatabase,
  waitFor,
  type OutboxTestDatabase,
} from './testing/outbox-test-database';

/** A transport as a channel's module provides it: injectable, sending through OutboundHttp. */
@Injectable()
class RecordingTransport implements DeliveryTransport {
  readonly sent: string[] = [];

  constructor(readonly http: OutboundHttp) {}

  send(_topic: string, messages: ClaimedMessage[]): Promise<SendOutcome> {
    for (const record of messages.flatMap(recordsOf)) this.sent.push((record as { id: string }).id);
    return Promise.resolve({ kind: 'delivered' });
  }
}

/** An app holding one channel, on the test database through TypeORM as the services are. */
async function appWith(
  db: OutboxTestDatabase,
  definition: DeliveryChannelDefinition,
): Promise<INestApplicationContext> {
  @Module({
    imports: [
      DatabaseModule.forRoot({
        type: 'postgres',
        url: db.url,
        extra: { max: 4, options: `-c search_path=${db.searchPath}` },
      }),
      MetricsModule,
      DeliveryModule.forChannel(definition),
    ],
  })
  class SpecApp {}
  return NestFactory.createApplicationContext(SpecApp, { logger: false });
}

const settings = (extra: Partial<DeliveryChannelSettings> = {}): DeliveryChannelSettings => ({
  timeoutMs: 1234,
  // Only a kick wakes the relay within the test's time.
  pollIntervalMs: 60_000,
  ...extra,
});

describe('DeliveryModule.forChannel', () => {
  let db: OutboxTestDatabase;
  let app: INestApplicationContext;
  let channel: DeliveryChannel;
  let transport: RecordingTransport;

  beforeAll(async () => {
    db = await openOutboxTestDatabase('delivery_module');
    app = await appWith(db, {
      channel: 'spec',
      transport: RecordingTransport,
      settings: () => settings({ topics: ['carried'] }),
      health: { key: 'spec_channel', label: 'spec channel' },
    });
    channel = app.get(deliveryChannelToken('spec'));
    transport = app.get(RecordingTransport, { strict: false });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const pendingOf = async (topic: string): Promise<number> => {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE channel = 'spec' AND topic = $1`,
      [topic],
    );
    return rows[0].n;
  };

  it('gives the transport an OutboundHttp with the channel’s timeout', () => {
    assert.ok(transport.http instanceof OutboundHttp);
    assert.equal(transport.http.timeoutMs, 1234);
  });

  it('delivers what a committed transaction queued once kicked, nothing of a rolled-back one', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await channel.enqueue(client, [
        { topic: 'carried', recordId: 'r-1', payload: { id: 'r-1' } },
      ]);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await channel.enqueue(client, [
        { topic: 'carried', recordId: 'c-1', payload: { id: 'c-1' } },
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    channel.kick();
    await waitFor(() => transport.sent.includes('c-1'), { message: 'the kicked delivery' });
    assert.deepEqual(transport.sent, ['c-1']);
    await waitFor(async () => (await pendingOf('carried')) === 0, { message: 'an empty outbox' });
  });

  it('queues nothing of a topic it does not carry', async () => {
    await channel.enqueue(db.pool, [{ topic: 'other', recordId: 'o-1', payload: { id: 'o-1' } }]);
    assert.equal(channel.accepts('other'), false);
    assert.equal(channel.target('other'), undefined);
    assert.deepEqual(channel.target('carried'), { channel: 'spec', topic: 'carried' });
    assert.equal(await pendingOf('other'), 0);
  });

  it('reports its backlog in the metrics and its state in the health summary', async () => {
    const scrape = await app.get(MetricsService).registry.metrics();
    assert.match(scrape, /^outbox_pending\{channel="spec"\} 0$/m);
    assert.match(scrape, /^outbox_dead_letters\{channel="spec"\} 0$/m);
    const summary = await channel.healthSummary();
    assert.equal(summary.degraded, undefined);
    const own = summary.spec_channel as Record<string, unknown>;
    assert.deepEqual(
      [own.enabled, own.state, own.side, own.pending, own.dead_letters],
      [true, 'ok', null, 0, 0],
    );
  });

  it('stops delivering when the app closes', async () => {
    const closing = await appWith(db, {
      channel: 'spec-closed',
      transport: RecordingTransport,
      settings: () => settings({ pollIntervalMs: 20 }),
    });
    const closed: DeliveryChannel = closing.get(deliveryChannelToken('spec-closed'));
    const sent = closing.get(RecordingTransport, { strict: false }).sent;
    await closing.close();
    await closed.enqueue(db.pool, [{ topic: 't', recordId: 'late', payload: { id: 'late' } }]);
    closed.kick();
    // A running relay polling every 20 ms would have sent it many times over.
    await delay(500);
    assert.deepEqual(sent, []);
    await db.pool.query(`DELETE FROM outbox WHERE channel = 'spec-closed'`);
  });

  it('is off without settings: queues and sends nothing and says so', async () => {
    const off = await appWith(db, {
      channel: 'spec-off',
      transport: RecordingTransport,
      settings: () => undefined,
      health: { key: 'off_channel', label: 'off channel' },
    });
    try {
      const offChannel: DeliveryChannel = off.get(deliveryChannelToken('spec-off'));
      assert.equal(offChannel.enabled, false);
      await offChannel.enqueue(db.pool, [{ topic: 't', recordId: 'x', payload: { id: 'x' } }]);
      const { rows } = await db.pool.query(`SELECT 1 FROM outbox WHERE channel = 'spec-off'`);
      assert.equal(rows.length, 0);
      assert.deepEqual(await offChannel.healthSummary(), { off_channel: { enabled: false } });
      assert.equal((await offChannel.stats()).pending, 0);
    } finally {
      await off.close();
    }
  });
});
