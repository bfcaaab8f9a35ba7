import { useMemo, useRef } from 'react';
import { api, query } from '../api/client';
import type { MetricBucket, MetricSample } from '../api/types';
import { ErrorState } from '../components/states';
import { BYTE_STEPS, TimeChart } from '../components/time-chart';
import { useLiveEvent } from '../live/use-live';
import { formatBytes, formatPercent, formatRate, formatTime } from '../lib/format';
import { useQueryParams } from '../lib/use-query-param';
import { useResource } from '../lib/use-resource';
import { appendSample, fromBuckets, type MetricSeries } from './metric-series';

export const RANGES: Record<string, number> = {
  '15m': 900,
  '1h': 3600,
  '24h': 86_400,
  '7d': 604_800,
};
const DEFAULT_RANGE = '1h';
/** Buckets per chart: finer than the chart's pixels on a laptop, within the API's limit. */
const POINTS = 360;

interface Loaded {
  series: MetricSeries;
  from: number;
  to: number;
  /** A range ending now, that live samples extend. */
  live: boolean;
}

/** The range in the query string: `range=15m|1h|24h|7d`, or `from` and `to` (ISO times). */
export function useChartRange() {
  const [params, setParams] = useQueryParams();
  const from = Date.parse(params.get('from') ?? '');
  const to = Date.parse(params.get('to') ?? '');
  const custom = Number.isFinite(from) && Number.isFinite(to) && from < to;
  const preset = custom
    ? null
    : (params.get('range') ?? DEFAULT_RANGE) in RANGES
      ? (params.get('range') ?? DEFAULT_RANGE)
      : DEFAULT_RANGE;
  return {
    preset,
    custom: custom ? { from, to } : null,
    setPreset: (range: string) => setParams({ range, from: null, to: null }),
    setCustom: (fromMs: number, toMs: number) =>
      setParams({
        range: null,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
      }),
  };
}

export function MetricsCharts({ deviceid }: { deviceid: string }) {
  const range = useChartRange();
  const seconds = range.preset ? RANGES[range.preset] : 0;
  const key = `${deviceid}|${range.preset ?? `${range.custom?.from}-${range.custom?.to}`}`;
  const reloadSoon = useRef<ReturnType<typeof setTimeout>>(undefined);

  const metrics = useResource<Loaded>(async (signal) => {
    const to = range.custom ? range.custom.to : Date.now();
    const from = range.custom ? range.custom.from : to - seconds * 1000;
    const buckets = await api<MetricBucket[]>(
      `/devices/${encodeURIComponent(deviceid)}/metrics${query({
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        points: POINTS,
      })}`,
      { signal },
    );
    return { series: fromBuckets(buckets), from: from / 1000, to: to / 1000, live: !range.custom };
  }, key);

  useLiveEvent<MetricSample>(
    'metrics',
    (event) => {
      if (!metrics.data?.live || !event.records[0]) return;
      if (event.count > 1) {
        // A batch: only its newest sample came along; fetch the range again.
        clearTimeout(reloadSoon.current);
        reloadSoon.current = setTimeout(metrics.reload, 500);
        return;
      }
      const sample = event.records[0];
      metrics.setData((current) => {
        if (!current) return current;
        const to = Math.max(Date.now() / 1000, Date.parse(sample.timestamp) / 1000);
        const from = to - seconds;
        return { ...current, from, to, series: appendSample(current.series, sample, from) };
      });
    },
    deviceid,
  );

  const data = metrics.data;
  const charts = useMemo(() => {
    if (!data) return null;
    const s = data.series;
    return {
      range: [data.from, data.to] as [number, number],
      cpu: [s.t, s.cpu],
      memory: [s.t, s.memUsed, s.memTotal],
      disk: [s.t, s.diskUsed, s.diskTotal],
      network: [s.t, s.netIn, s.netOut],
    };
  }, [data]);

  if (metrics.error && !data) return <ErrorState error={metrics.error} onRetry={metrics.reload} />;
  const select = (from: number, to: number) => range.setCustom(from * 1000, to * 1000);
  return (
    <div
      className="charts-block"
      data-charts-loaded={charts && !metrics.loading ? 'true' : undefined}
    >
      <div className="page-head">
        <div className="segmented" role="group" aria-label="Time range">
          {Object.keys(RANGES).map((name) => (
            <button
              key={name}
              type="button"
              aria-pressed={range.preset === name}
              onClick={() => range.setPreset(name)}
            >
              {name}
            </button>
          ))}
        </div>
        {range.custom && (
          <span className="small muted">
            {formatTime(range.custom.from)} – {formatTime(range.custom.to)}
          </span>
        )}
        <span className="small muted">Drag across a chart to zoom into a range.</span>
        {metrics.loading && data && <span className="small muted">Updating…</span>}
      </div>
      {charts && data && data.series.t.length === 0 && (
        <p className="muted small">No samples in this range yet.</p>
      )}
      <div className="grid charts">
        {charts ? (
          <>
            <TimeChart
              title="CPU"
              series={[{ label: 'CPU', color: '--chart-1' }]}
              data={charts.cpu}
              range={charts.range}
              format={(v) => formatPercent(v, 0)}
              max={100}
              onSelect={select}
            />
            <TimeChart
              title="Memory"
              series={[
                { label: 'Used', color: '--chart-1' },
                { label: 'Total', color: '--chart-2' },
              ]}
              data={charts.memory}
              range={charts.range}
              format={formatBytes}
              steps={BYTE_STEPS}
              onSelect={select}
            />
            <TimeChart
              title="Disk"
              series={[
                { label: 'Used', color: '--chart-1' },
                { label: 'Total', color: '--chart-2' },
              ]}
              data={charts.disk}
              range={charts.range}
              format={formatBytes}
              steps={BYTE_STEPS}
              onSelect={select}
            />
            <TimeChart
              title="Network"
              series={[
                { label: 'In', color: '--chart-1' },
                { label: 'Out', color: '--chart-2' },
              ]}
              data={charts.network}
              range={charts.range}
              format={formatRate}
              onSelect={select}
            />
          </>
        ) : (
          ['CPU', 'Memory', 'Disk', 'Network'].map((title) => (
            <div key={title} className="card chart-placeholder" aria-busy="true">
              {title}
            </div>
          ))
        )}
      </div>
    </div>
  );
}
