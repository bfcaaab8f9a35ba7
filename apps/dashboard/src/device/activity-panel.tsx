import { api } from '../api/client';
import type { Activity } from '../api/types';
import { ListState } from '../components/states';
import { formatDuration, formatTime } from '../lib/format';
import { useLiveEvent } from '../live/use-live';
import { useResource } from '../lib/use-resource';

/** What the device's user did, newest first; new activities arrive live. */
export function ActivityPanel({ deviceid }: { deviceid: string }) {
  const activities = useResource(
    (signal) =>
      api<Activity[]>(`/devices/${encodeURIComponent(deviceid)}/activities?limit=200`, { signal }),
    deviceid,
  );
  useLiveEvent<Activity>(
    'activities',
    (event) =>
      activities.setData((list) => {
        if (!list) return list;
        const fresh = event.records.filter((a) => !list.some((b) => b.id === a.id));
        return [...fresh, ...list].sort(
          (a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp),
        );
      }),
    deviceid,
  );
  return (
    <div className="panel" data-panel="activity" data-loaded={activities.data ? 'true' : undefined}>
      <div className="card-head">
        <h2>Activity</h2>
      </div>
      <ListState {...activities} empty="No activity recorded yet.">
        {(list) => (
          <ol className="plain-list card timeline">
            {list.map((a) => (
              <li key={a.id}>
                <time dateTime={a.timestamp} className="small muted">
                  {formatTime(a.timestamp)}
                </time>
                <div>
                  <span className="badge plain">{a.activity_type}</span>{' '}
                  {a.app && <strong>{a.app}</strong>}
                  {a.duration !== null && (
                    <span className="small muted"> · {formatDuration(a.duration)}</span>
                  )}
                  {a.description && <div>{a.description}</div>}
                </div>
              </li>
            ))}
          </ol>
        )}
      </ListState>
    </div>
  );
}
