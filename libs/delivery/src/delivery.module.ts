import { MetricsService, SqlPool } from '@app/platform';
import { DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import { DeliveryChannel } from './delivery-channel';
import {
  deliveryChannelToken,
  type DeliveryChannelDefinition,
  type DeliveryChannelSettings,
} from './delivery-channel.definition';
import { counterHooks, registerBacklogGauges } from './delivery-metrics';
import type { DeliveryTransport } from './delivery.types';
import { OutboundHttpModule } from './outbound-http.module';
import { OutboxRelay } from './outbox-relay';

/**
 * The delivery engine for Nest apps: one `DeliveryModule.forChannel(...)` import per channel.
 * It provides the channel's DeliveryChannel (inject it with InjectDeliveryChannel), the
 * transport, and an OutboundHttp with the channel's timeout for the transport to send with;
 * it runs the relay from module init to module destroy and registers the channel's metrics.
 */
@Module({})
export class DeliveryModule {
  static forChannel(definition: DeliveryChannelDefinition): DynamicModule {
    const token = deliveryChannelToken(definition.channel);
    const settingsToken = `${token}:settings`;
    const settings: Provider = {
      provide: settingsToken,
      inject: definition.inject ?? [],
      useFactory: (...deps: unknown[]) => definition.settings(...(deps as never[])),
    };
    const channel: Provider = {
      provide: token,
      inject: [settingsToken, definition.transport, SqlPool, MetricsService],
      useFactory: (
        options: DeliveryChannelSettings | undefined,
        transport: DeliveryTransport,
        pool: SqlPool,
        metrics: MetricsService,
      ) => createChannel(definition, options, transport, pool, metrics),
    };
    return {
      module: DeliveryModule,
      imports: [
        ...(definition.imports ?? []),
        OutboundHttpModule.registerAsync({
          imports: definition.imports,
          inject: definition.inject,
          timeoutMs: (...deps) => definition.settings(...deps)?.timeoutMs ?? 0,
        }),
      ],
      providers: [settings, definition.transport, channel],
      exports: [token],
    };
  }
}

function createChannel(
  definition: DeliveryChannelDefinition,
  options: DeliveryChannelSettings | undefined,
  transport: DeliveryTransport,
  pool: SqlPool,
  metrics: MetricsService,
): DeliveryChannel {
  const name = definition.channel;
  const logger = new Logger(`Delivery ${name}`);
  let relay: OutboxRelay | undefined;
  if (options) {
    const { timeoutMs, topics: _topics, startMessage: _start, ...relayOptions } = options;
    relay = new OutboxRelay(
      pool,
      {
        ...relayOptions,
        // A claim outlives the slowest request (two, for a transport that sends in parts).
        leaseMs: relayOptions.leaseMs ?? timeoutMs * 2 + 10_000,
        channel: name,
        transport,
        hooks: definition.counters ? counterHooks(metrics, definition.counters) : undefined,
      },
      logger,
    );
  }
  const result = new DeliveryChannel(
    name,
    relay,
    options,
    logger,
    definition.offMessage,
    definition.health,
  );
  if (relay) registerBacklogGauges(metrics, result);
  return result;
}
