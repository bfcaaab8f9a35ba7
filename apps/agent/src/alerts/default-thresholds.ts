import type { AgentOptions } from '../options/agent-options';
import type { Threshold } from './threshold-alerts';

/** The thresholds the agent (and each simulated device) watches, from the alert flags. */
export function thresholdsFrom(
  options: Pick<AgentOptions, 'cpuAlert' | 'memoryAlert' | 'diskAlert' | 'tempAlert'>,
): Threshold[] {
  return [
    { type: 'cpu_high', label: 'CPU use', unit: '%', threshold: options.cpuAlert },
    { type: 'memory_high', label: 'Memory use', unit: '%', threshold: options.memoryAlert },
    { type: 'disk_high', label: 'Disk use', unit: '%', threshold: options.diskAlert },
    {
      type: 'temperature_high',
      label: 'CPU temperature',
      unit: '°C',
      threshold: options.tempAlert,
    },
  ];
}
