import type { ChannelHooks } from '@app/delivery';
import type { MetricsService } from '@app/platform';

/** The reference's counters, fed by the relay's outcome hooks. */
export function forwardingHooks(metrics: MetricsService): ChannelHooks {
  const success = metrics.counter('forward_success_total', 'Records delivered to the mentor', [
    'data_type',
  ]);
  const failure = metrics.counter(
    'forward_failure_total',
    'Failed record deliveries to the mentor',
    ['data_type'],
  );
  const dead = metrics.counter('forward_dead_letters_total', 'Records moved to dead letters', [
    'data_type',
  ]);
  return {
    onDelivered: (topic, count) => success.inc({ data_type: topic }, count),
    onFailed: (topic, count) => failure.inc({ data_type: topic }, count),
    onDeadLettered: (topic, count) => dead.inc({ data_type: topic }, count),
  };
}
