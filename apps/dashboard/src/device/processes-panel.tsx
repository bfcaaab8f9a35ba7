import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type { ProcessInfo } from '../api/types';
import { ListState } from '../components/states';
import { TimeAgo } from '../components/time-ago';
import { useLiveEvent } from '../live/use-live';
import { formatBytes, formatPercent } from '../lib/format';
import { useQueryParams } from '../lib/use-query-param';
import { useResource } from '../lib/use-resource';

type SortKey = 'process_name' | 'pid' | 'cpu' | 'memory';
const COLUMNS: [SortKey, string, boolean][] = [
  ['process_name', 'Name', false],
  ['pid', 'PID', true],
  ['cpu', 'CPU', true],
  ['memory', 'Memory', true],
];

/** The latest process snapshot: sortable by any column, filtered by name or command line. */
export function ProcessesPanel({ deviceid }: { deviceid: string }) {
  const [params, setParams] = useQueryParams();
  const sort = (params.get('psort') as SortKey | null) ?? 'cpu';
  const descending = params.get('pdir') !== 'asc';
  const [filter, setFilter] = useState(params.get('pq') ?? '');
  const processes = useResource(
    (signal) =>
      api<ProcessInfo[]>(`/devices/${encodeURIComponent(deviceid)}/processes?limit=1000`, {
        signal,
      }),
    deviceid,
  );
  // A new snapshot replaces the old one: fetch it.
  useLiveEvent('processes', processes.reload, deviceid);

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const list = (processes.data ?? []).filter(
      (p) =>
        !needle ||
        p.process_name.toLowerCase().includes(needle) ||
        (p.command_text ?? '').toLowerCase().includes(needle),
    );
    const sign = descending ? -1 : 1;
    return [...list].sort((a, b) => {
      const x = a[sort] ?? -1;
      const y = b[sort] ?? -1;
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
  }, [processes.data, filter, sort, descending]);

  const sortBy = (key: SortKey) =>
    setParams({ psort: key, pdir: key === sort && descending ? 'asc' : null }, true);

  return (
    <div className="panel" data-panel="processes" data-loaded={processes.data ? 'true' : undefined}>
      <div className="card-head">
        <h2>Processes</h2>
        {processes.data?.[0] && (
          <span className="small muted">
            snapshot <TimeAgo at={processes.data[0].timestamp} />
          </span>
        )}
        <span className="spacer" />
        <label>
          <span className="visually-hidden">Filter processes</span>
          <input
            type="search"
            placeholder="Filter by name or command"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              setParams({ pq: e.target.value }, true);
            }}
          />
        </label>
      </div>
      <ListState {...processes} empty="This device has not sent a process list yet.">
        {() => (
          <div className="card flush scroll processes">
            <table className="table">
              <thead>
                <tr>
                  {COLUMNS.map(([key, label, numeric]) => (
                    <th
                      key={key}
                      className={numeric ? 'num' : undefined}
                      aria-sort={sort === key ? (descending ? 'descending' : 'ascending') : 'none'}
                    >
                      <button type="button" onClick={() => sortBy(key)}>
                        {label} {sort === key ? (descending ? '↓' : '↑') : ''}
                      </button>
                    </th>
                  ))}
                  <th>Command</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((p) => (
                  <tr key={p.pid}>
                    <td>{p.process_name}</td>
                    <td className="num">{p.pid}</td>
                    <td className="num">{formatPercent(p.cpu)}</td>
                    <td className="num">{formatBytes(p.memory)}</td>
                    <td className="mono small truncate" title={p.command_text ?? ''}>
                      {p.command_text}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {shown.length === 0 && <div className="state">No process matches.</div>}
          </div>
        )}
      </ListState>
    </div>
  );
}
