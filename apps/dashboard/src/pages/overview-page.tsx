import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { api } from '../api/client';
import { ALERT_LEVELS, type FleetSummary } from '../api/types';
import { ErrorState, Loading, Empty } from '../components/states';
import { useLiveEvent } from '../live/use-live';
import { formatPercent } from '../lib/format';
import { useResource } from '../lib/use-resource';

/** Refetch the summary at most this often while events keep coming. */
const REFRESH_GAP_MS = 5_000;

function telemetryRate(rate: FleetSummary['telemetry_rate']): string | null {
  // Older Mentors do not report it.
  if (!rate || typeof rate.metrics_per_second !== 'number') return null;
  const perSecond = rate.metrics_per_second;
  // A small fleet sends less than one sample a second: per minute reads better than "0 /s".
  if (perSecond > 0 && perSecond < 1) {
    return `${(perSecond * 60).toLocaleString(undefined, { maximumFractionDigits: 1 })} /min`;
  }
  return `${perSecond.toLocaleString(undefined, { maximumFractionDigits: 1 })} /s`;
}

export function OverviewPage() {
  const summary = useResource(
    (signal) => api<FleetSummary>('/fleet/summary', { signal }),
    'summary',
  );
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  // Stored records change the figures: fetch them again, at most once per gap.
  useLiveEvent(['device', 'alerts', 'metrics'], () => {
    pending.current ??= setTimeout(() => {
      pending.current = undefined;
      summary.reload();
    }, REFRESH_GAP_MS);
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  const s = summary.data;
  if (summary.error && !s) {
    return (
      <section data-page="overview" data-loaded="true">
        <h1>Fleet overview</h1>
        <ErrorState error={summary.error} onRetry={summary.reload} />
      </section>
    );
  }
  if (!s) {
    return (
      <section data-page="overview">
        <h1>Fleet overview</h1>
        <Loading />
      </section>
    );
  }
  const rate = telemetryRate(s.telemetry_rate);
  return (
    <section data-page="overview" data-loaded="true">
      <div className="page-head">
        <h1>Fleet overview</h1>
      </div>
      <div className="grid stats">
        <Link href="/devices?status=online" className="card stat link-card">
          <div className="label">Online</div>
          <div className="value" data-stat="online">
            {s.devices.online}
          </div>
          <div className="small muted">of {s.devices.total} devices</div>
        </Link>
        <Link href="/devices?status=offline" className="card stat link-card">
          <div className="label">Offline</div>
          <div className="value" data-stat="offline">
            {s.devices.offline}
          </div>
        </Link>
        {ALERT_LEVELS.map((level) => (
          <div key={level} className="card stat">
            <div className="label">
              <span className={`badge ${level}`}>{level}</span> open alerts
            </div>
            <div className="value">{s.open_alerts_by_level[level] ?? 0}</div>
          </div>
        ))}
        <div className="card stat">
          <div className="label">Telemetry rate</div>
          <div className="value">{rate ?? '—'}</div>
          <div className="small muted">
            {rate ? 'metric samples, average of the last 5 min' : 'not reported by this Mentor'}
          </div>
        </div>
      </div>
      <div className="card">
        <div className="card-head">
          <h2>Busiest devices</h2>
          <span className="spacer" />
          <Link href="/devices">All devices →</Link>
        </div>
        {s.busiest.length === 0 ? (
          <Empty>No device has reported a sample yet.</Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Device</th>
                <th className="num">CPU</th>
                <th className="num">Memory</th>
              </tr>
            </thead>
            <tbody>
              {s.busiest.map((d) => (
                <tr key={d.deviceid}>
                  <td>
                    <Link href={`/devices/${encodeURIComponent(d.deviceid)}`}>
                      {d.device_name || d.deviceid}
                    </Link>
                  </td>
                  <td className="num">{formatPercent(d.cpu_usage)}</td>
                  <td className="num">
                    {d.memory_used !== null && d.memory_total
                      ? formatPercent((d.memory_used / d.memory_total) * 100)
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
