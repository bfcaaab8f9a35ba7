export interface AlertRecord {
  level: 'warning' | 'critical';
  alert_type: string;
  message: string;
  value: number;
  threshold: number;
}

export interface Threshold {
  /** `cpu_high`, `memory_high`, ... */
  type: string;
  label: string;
  unit: string;
  threshold: number;
}

/** How far below the threshold a value must fall before a new crossing can alert. */
const REARM_MARGIN = 0.05;

/**
 * One alert per crossing: a value at or over its threshold alerts once, and alerts again only
 * after it has fallen clearly below (a margin, so a value hovering at the line does not
 * alert every interval).
 */
export class ThresholdAlerts {
  private readonly over = new Set<string>();

  constructor(private readonly thresholds: Threshold[]) {}

  /** The alerts of this reading; `values` by threshold type (undefined: not measured). */
  check(values: Record<string, number | undefined>): AlertRecord[] {
    const alerts: AlertRecord[] = [];
    for (const t of this.thresholds) {
      const value = values[t.type];
      if (value === undefined || !Number.isFinite(value)) continue;
      if (this.over.has(t.type)) {
        if (value < t.threshold - Math.abs(t.threshold) * REARM_MARGIN) this.over.delete(t.type);
        continue;
      }
      if (value >= t.threshold) {
        this.over.add(t.type);
        const critical = value >= t.threshold + (100 - t.threshold) / 2 && t.unit === '%';
        alerts.push({
          level: critical ? 'critical' : 'warning',
          alert_type: t.type,
          message: `${t.label} at ${value}${t.unit}, over the threshold of ${t.threshold}${t.unit}`,
          value,
          threshold: t.threshold,
        });
      }
    }
    return alerts;
  }
}
