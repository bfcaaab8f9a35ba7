import type { LoadResult } from './load';
import type { ProcessSample } from './proc';

export interface Measurement {
  label: string;
  load?: LoadResult;
  /** Records per second where a request carries several. */
  recordsPerS?: number;
  processes: Record<string, ProcessSample>;
  extra?: Record<string, number | string>;
}

export interface TargetCheck {
  what: string;
  target: string;
  value: string;
  met: boolean;
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  measurements: Measurement[];
  /** The product's throughput over the baseline's, measured in the same run. */
  ratio?: { of: string; value: number };
  targets: TargetCheck[];
  notes: string[];
}
