import { ThresholdAlerts } from './threshold-alerts';

describe('ThresholdAlerts', () => {
  const alerts = (): ThresholdAlerts =>
    new ThresholdAlerts([
      { type: 'cpu_high', label: 'CPU use', unit: '%', threshold: 90 },
      { type: 'temperature_high', label: 'CPU temperature', unit: '°C', threshold: 80 },
    ]);

  it('alerts once when a value crosses its threshold, not at every reading above it', () => {
    const check = alerts();
    const fired = [50, 91, 95, 99, 92].map((cpu) => check.check({ cpu_high: cpu }).length);
    expect(fired).toEqual([0, 1, 0, 0, 0]);
  });

  it('alerts again only after the value has fallen clearly below the threshold', () => {
    const check = alerts();
    // 89 is within the margin below 90, so the next crossing is the same episode.
    const fired = [91, 89, 91, 80, 93].map((cpu) => check.check({ cpu_high: cpu }).length);
    expect(fired).toEqual([1, 0, 0, 0, 1]);
  });

  it('describes the crossing with its value and threshold, critical when far over', () => {
    const [warning] = alerts().check({ cpu_high: 91 });
    expect(warning).toEqual({
      level: 'warning',
      alert_type: 'cpu_high',
      message: 'CPU use at 91%, over the threshold of 90%',
      value: 91,
      threshold: 90,
    });
    expect(alerts().check({ cpu_high: 99 })[0].level).toBe('critical');
  });

  it('watches each threshold on its own and ignores what was not measured', () => {
    const check = alerts();
    expect(
      check.check({ cpu_high: undefined, temperature_high: 85 }).map((a) => a.alert_type),
    ).toEqual(['temperature_high']);
    expect(check.check({ cpu_high: 95, temperature_high: 86 }).map((a) => a.alert_type)).toEqual([
      'cpu_high',
    ]);
  });
});
