import type { ChannelOptions } from './delivery.types';

/** ChannelOptions with every default filled in. */
export type ResolvedChannelOptions = Required<Omit<ChannelOptions, 'hooks'>> &
  Pick<ChannelOptions, 'hooks'>;

export const RELAY_DEFAULTS = {
  batchSize: 500,
  concurrency: 2,
  requestConcurrency: 8,
  quickRetries: 3,
  quickRetryBaseMs: 1000,
  maxBackoffMs: 300_000,
  deadLetterAfterMs: 72 * 60 * 60 * 1000,
  leaseMs: 60_000,
  pollIntervalMs: 250,
  probeIntervalMs: 2000,
} as const;

/** Fills in defaults and refuses nonsense early, at construction rather than mid-delivery. */
export function resolveChannelOptions(options: ChannelOptions): ResolvedChannelOptions {
  const resolved: ResolvedChannelOptions = {
    ...RELAY_DEFAULTS,
    ...withoutUndefined(options),
    channel: options.channel,
    transport: options.transport,
    hooks: options.hooks,
    receiver: options.receiver ?? { name: options.channel },
    probeScope: options.probeScope ?? 'channel',
  };
  if (!resolved.channel) throw new RangeError('delivery: channel must be a non-empty string');
  for (const key of Object.keys(RELAY_DEFAULTS) as (keyof typeof RELAY_DEFAULTS)[]) {
    const value = resolved[key];
    const minimum = key === 'quickRetries' ? 0 : 1;
    if (!Number.isFinite(value) || value < minimum) {
      throw new RangeError(`delivery: ${key} must be a number >= ${minimum}, got ${value}`);
    }
  }
  return resolved;
}

function withoutUndefined(options: ChannelOptions): Partial<ChannelOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
