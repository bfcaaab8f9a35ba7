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
/** More rows than a large screen shows at once. */
const HEAD_LIMIT = 60;
const SPARK_POINTS = 24;
const SEARCH_DELAY_MS = 250;

export function DevicesPage() {
  const [params, setParams] = useQueryParams();
  const search = params.get('q') ?? '';
  const status = params.get('status') ?? '';
  // What is typed in the box, until the query string catches up (or moves: back button).
  const [draft, setDraft] = useState({ text: search, base: search });
  const typed = draft.base === search ? draft.text : search;
  const fetchList = (limit: number) => (signal: AbortSignal) =>
    api<Device[]>(
      `/devices${query({ search, status, limit, sparkline: '1h', sparkline_points: SPARK_POINTS })}`,
      { signal },
    );
  // The first screenful comes back sooner than the whole list (its sparklines are a fraction of
  // the work), so the page shows it while the rest loads; the two are asked for at once.
  const head = useResource(fetchList(HEAD_LIMIT), `${search}|${status}`);
  const full = useResource(fetchList(LIST_LIMIT), `${search}|${status}`);
  const list = full.data ? full : { ...head, reload: full.reload };
  const complete = full.data !== undefined;
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
      // Until the whole list is in, most devices are not shown yet: it will have them.
      if (!complete && event.type !== 'device') return;
      // A device this list has not shown yet (new, or now matching): fetch the list again,
      // once for a burst of events.
      if (event.type === 'device' || !status) {
        clearTimeout(reloadSoon.current);
        reloadSoon.current = setTimeout(() => {
          head.reload();
          full.reload();
        }, 300);
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
            {!complete
              ? 'loading the rest…'
              : list.data.length === LIST_LIMIT
                ? `first ${LIST_LIMIT} shown`
                : `${list.data.length} shown`}
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
