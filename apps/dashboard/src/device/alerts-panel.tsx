import { useState } from 'react';
import { api, query } from '../api/client';
import type { Alert } from '../api/types';
import { ListState } from '../components/states';
import { TimeAgo } from '../components/time-ago';
import { useLiveEvent } from '../live/use-live';
import { formatTime } from '../lib/format';
import { useQueryParams } from '../lib/use-query-param';
import { useResource } from '../lib/use-resource';
import { useIsAdmin } from '../lib/use-session';

const STATES = ['', 'open', 'acknowledged', 'resolved'];

function AlertRow({
  alert,
  admin,
  onChange,
}: {
  alert: Alert;
  admin: boolean;
  onChange: (alert: Alert) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const act = async (action: 'ack' | 'resolve') => {
    setBusy(true);
    setError(undefined);
    try {
      onChange(
        await api<Alert>(
          `/devices/${encodeURIComponent(alert.deviceid)}/alerts/${alert.id}/${action}`,
          { method: 'POST' },
        ),
      );
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li
      className={`alert-row ${alert.level} ${alert.state}`}
      data-alert={alert.id}
      data-state={alert.state}
    >
      <div>
        <span className={`badge ${alert.level}`}>{alert.level}</span>{' '}
        <strong>{alert.alert_type}</strong>{' '}
        <span className="muted small">
          · <TimeAgo at={alert.timestamp} />
        </span>
        {alert.message && <div>{alert.message}</div>}
        {((alert.value ?? null) !== null || (alert.threshold ?? null) !== null) && (
          <div className="small muted">
            value {alert.value ?? '—'} · threshold {alert.threshold ?? '—'}
          </div>
        )}
        {alert.acknowledged_by && (
          <div className="small muted" data-acknowledged-by={alert.acknowledged_by}>
            Acknowledged by {alert.acknowledged_by} at {formatTime(alert.acknowledged_at)}
          </div>
        )}
        {alert.resolved_by && (
          <div className="small muted">
            Resolved by {alert.resolved_by} at {formatTime(alert.resolved_at)}
          </div>
        )}
        {error && <div className="notice small">{error}</div>}
      </div>
      <div className="actions">
        <span className={`badge plain ${alert.state}`}>{alert.state}</span>
        {admin && alert.state === 'open' && (
          <button
            type="button"
            className="btn small"
            disabled={busy}
            onClick={() => void act('ack')}
          >
            Acknowledge
          </button>
        )}
        {admin && alert.state !== 'resolved' && (
          <button
            type="button"
            className="btn small"
            disabled={busy}
            onClick={() => void act('resolve')}
          >
            Resolve
          </button>
        )}
      </div>
    </li>
  );
}

export function AlertsPanel({ deviceid }: { deviceid: string }) {
  const admin = useIsAdmin();
  const [params, setParams] = useQueryParams();
  const state = params.get('alerts') ?? '';
  const alerts = useResource(
    (signal) =>
      api<Alert[]>(`/devices/${encodeURIComponent(deviceid)}/alerts${query({ state })}`, {
        signal,
      }),
    `${deviceid}|${state}`,
  );

  useLiveEvent<Alert>(
    'alerts',
    (event) => {
      if (state && state !== 'open') return;
      alerts.setData((list) => {
        if (!list) return list;
        const fresh = event.records
          .filter((a) => !list.some((b) => b.id === a.id))
          .map((a) => ({ ...a, deviceid, state: a.state ?? 'open' }));
        return [...fresh, ...list];
      });
    },
    deviceid,
  );

  const replace = (changed: Alert) =>
    alerts.setData((list) => list?.map((a) => (a.id === changed.id ? { ...a, ...changed } : a)));

  return (
    <div className="panel" data-panel="alerts" data-loaded={alerts.data ? 'true' : undefined}>
      <div className="card-head">
        <h2>Alerts</h2>
        <span className="spacer" />
        <label>
          <span className="visually-hidden">Alert state</span>
          <select value={state} onChange={(e) => setParams({ alerts: e.target.value }, true)}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s || 'all states'}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ListState {...alerts} empty="No alerts.">
        {(list) => (
          <ul className="plain-list card flush">
            {list.map((alert) => (
              <AlertRow key={alert.id} alert={alert} admin={admin} onChange={replace} />
            ))}
          </ul>
        )}
      </ListState>
    </div>
  );
}
