import { Inject, type FactoryProvider, type ModuleMetadata, type Type } from '@nestjs/common';
import type { ChannelOptions, DeliveryTransport } from './delivery.types';

/** A Prometheus metric as the app documents it. */
export interface MetricName {
  name: string;
  help: string;
}

/** Counters of a channel's records by topic, under the names the app documents. */
export interface DeliveryCounters {
  /** The label holding the topic. */
  topicLabel: string;
  delivered: MetricName;
  failed: MetricName;
  deadLettered: MetricName;
}

/** A channel's relay settings from the app's config. */
export interface DeliveryChannelSettings extends Omit<
  ChannelOptions,
  'channel' | 'transport' | 'hooks'
> {
  /** The transport's request timeout (ms). The claim lease is sized from it unless given. */
  timeoutMs: number;
  /** Topics this channel carries; enqueue skips any other (default: every topic). */
  topics?: string[];
  /** Logged when the relay starts (where it delivers, say). */
  startMessage?: string;
}

/** Everything a channel is: see DeliveryModule.forChannel and libs/delivery/README.md. */
export interface DeliveryChannelDefinition {
  channel: string;
  /**
   * The transport, an injectable class provided in the channel's module: it may inject
   * OutboundHttp (registered with the channel's timeout) and anything global.
   */
  transport: Type<DeliveryTransport>;
  /** Modules whose providers `inject` names (global ones need not be listed). */
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  /** The settings, given what `inject` names; undefined leaves the channel off. */
  settings: (...deps: never[]) => DeliveryChannelSettings | undefined;
  /** Logged at start when the channel is off. */
  offMessage?: string;
  /** How `/health` names the channel: its key, and its label in a degraded reason. */
  health?: { key: string; label: string };
  counters?: DeliveryCounters;
}

/** The injection token of a channel's DeliveryChannel. */
export function deliveryChannelToken(channel: string): string {
  return `DeliveryChannel:${channel}`;
}

/** Injects the DeliveryChannel that DeliveryModule.forChannel set up for `channel`. */
export const InjectDeliveryChannel = (channel: string): ParameterDecorator =>
  Inject(deliveryChannelToken(channel));
