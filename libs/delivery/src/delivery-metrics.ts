import type { MetricsService } from '@app/platform';
import type { DeliveryCounters } from './delivery-channel.definition';
import type { BacklogStats, ChannelHooks } from './delivery.types';

interface Gauged {
  readonly name: string;
  stats(): Promise<BacklogStats>;
}

/** The channels each registry's gauges report on (one gauge per name, a label per channel). */
const gauged = new WeakMap<MetricsService, Set<Gauged>>();

/**
 * Backlog gauges labelled by channel: outbox_pending, outbox_oldest_pending_age_seconds and
 * outbox_dead_letters. One stats query per channel and scrape feeds all three.
 */
export function registerBacklogGauges(metrics: MetricsService, channel: Gauged): void {
  let channels = gauged.get(metrics);
  if (channels) {
    channels.add(channel);
    return;
  }
  channels = new Set([channel]);
  gauged.set(metrics, channels);
  const scrapes = new Map<Gauged, Promise<BacklogStats>>();
  const current = (c: Gauged): Promise<BacklogStats> => {
    let pending = scrapes.get(c);
    if (!pending) {
      pending = c.stats().finally(() => setTimeout(() => scrapes.delete(c), 100));
      scrapes.set(c, pending);
    }
    return pending;
  };
  const each = async (read: (s: BacklogStats) => number, set: (c: string, v: number) => void) => {
    for (const c of channels) set(c.name, read(await current(c)));
  };
  metrics.gauge(
    'outbox_pending',
    'Outbox rows waiting for delivery',
    ['channel'],
    async function () {
      await each(
        (s) => s.pending,
        (channel, value) => this.set({ channel }, value),
      );
    },
  );
  metrics.gauge(
    'outbox_oldest_pending_age_seconds',
    'Age of the oldest undelivered outbox row',
    ['channel'],
    async function () {
      await each(
        (s) => s.oldestPendingAgeSeconds ?? 0,
        (channel, value) => this.set({ channel }, value),
      );
    },
  );
  metrics.gauge(
    'outbox_dead_letters',
    'Outbox rows in the dead-letter state',
    ['channel'],
    async function () {
      await each(
        (s) => s.deadLetters,
        (channel, value) => this.set({ channel }, value),
      );
    },
  );
}

/** The relay's outcome hooks feeding a channel's counters by topic. */
export function counterHooks(metrics: MetricsService, counters: DeliveryCounters): ChannelHooks {
  const label = counters.topicLabel;
  const counter = ({ name, help }: { name: string; help: string }) =>
    metrics.counter(name, help, [label]);
  const delivered = counter(counters.delivered);
  const failed = counter(counters.failed);
  const dead = counter(counters.deadLettered);
  return {
    onDelivered: (topic, count) => delivered.inc({ [label]: topic }, count),
    onFailed: (topic, count) => failed.inc({ [label]: topic }, count),
    onDeadLettered: (topic, count) => dead.inc({ [label]: topic }, count),
  };
}
