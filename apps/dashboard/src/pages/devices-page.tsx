import { useEffect, useRef, useState } from 'react';
import { api, query } from '../api/client';
import type { AlertLevel, Device } from '../api/types';
import { ErrorState, Empty, Loading } from '../components/states';
import { useLiveEvent } from '../live/use-live';
import { withSample } from '../lib/online';
import { useQueryParams } from '../lib/use-query-param';
import { useResource } from '../lib/use-resource';
import { DeviceTable } from './device-table';

const LIST_LIMIT = 1000;
const SEARCH_DELAY_MS = 250;

export function DevicesPage() {
  const [params, setParams] = useQueryParams();
  const search = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  // What is typed in the box, until the query string catches up (or moves: back button).
  const [draft, setDraft] = useState({ text: search, base: search });
  const typed = draft.base === search ? draft.text : search;
  const list = useResource(
    (signal) =>
      api<Device[]>(
        `/devices${query({ search, status, limit: LIST_LIMIT, sparkline: '1h', sparkline_points: 24 })}`,
        { signal },
      ),
    `${search}|${status}`,
  );
  const reloadSoon = useRef<ReturnType<typeof setTimeout>>(undefined);

  // Typing narrows the list after a short pause; the query string keeps it.
  useEffect(() => {
    if (typed === search) return;
    const timer = setTimeout(() => setParams({ q: typed }, true), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed, search, setParams]);

  useLiveEvent(['metrics', 'alerts', 'device'], (event) => {
    const known = list.data?.some((d) => d.deviceid === event.deviceid);
    if (!known) {
      // A device this list has not shown yet (new, or now matching): fetch the list again,
      // once for a burst of events.
      if (event.type === 'device' || !status) {
        clearTimeout(reloadSoon.current);
        reloadSoon.current = setTimeout(list.reload, 300);
      }
      return;
    }
    list.setData((devices) =>
      devices?.map((device) => {
        if (device.deviceid !== event.deviceid) return device;
        if (event.type === 'metrics' && event.records[0])
          return withSample(device, event.records[0]);
        if (event.type === 'alerts') {
          const open = { ...device.open_alerts };
          for (const alert of event.records) {
            const level = alert.level as AlertLevel;
            open[level] = (open[level] ?? 0) + 1;
          }
          return {
            ...device,
            open_alerts: open,
            online: true,
            last_seen_at: new Date().toISOString(),
          };
        }
        // A registration's facts, or an online change ({ online, last_seen_at }).
        const facts = event.records[0] as Partial<Device> | undefined;
        return { ...device, ...facts, online: facts?.online ?? true };
      }),
    );
  });
  useEffect(() => () => clearTimeout(reloadSoon.current), []);

  const loaded = list.data !== undefined;
  return (
    <section data-page="devices" data-loaded={loaded ? 'true' : undefined}>
      <div className="page-head">
        <h1>Devices</h1>
        {list.data && (
          <span className="muted">
            {list.data.length === LIST_LIMIT ? `first ${LIST_LIMIT}` : list.data.length} shown
          </span>
        )}
        <span className="spacer" />
        <div className="toolbar">
          <label>
            <span className="visually-hidden">Search devices</span>
            <input
              type="search"
              name="search"
              placeholder="Search name or id"
              value={typed}
              onChange={(e) => setDraft({ text: e.target.value, base: search })}
            />
          </label>
          <div className="segmented" role="group" aria-label="Status">
            {['', 'online', 'offline'].map((value) => (
              <button
                key={value || 'all'}
                type="button"
                aria-pressed={status === value}
                onClick={() => setParams({ status: value })}
              >
                {value || 'all'}
              </button>
            ))}
          </div>
        </div>
      </div>
      <div className="card flush">
        {list.error && !list.data ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !list.data ? (
          <Loading />
        ) : list.data.length === 0 ? (
          <Empty>
            {search || status
              ? 'No device matches these filters.'
              : 'No device has registered yet. Devices appear here as soon as their agent enrols.'}
          </Empty>
        ) : (
          <DeviceTable devices={list.data} />
        )}
      </div>
    </section>
  );
}
