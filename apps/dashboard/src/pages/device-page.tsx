import type { KeyboardEvent } from 'react';
import { Link, useParams } from 'wouter';
import { api } from '../api/client';
import type { Device } from '../api/types';
import { AlertCounts } from '../components/alert-counts';
import { ErrorState, Loading } from '../components/states';
import { TimeAgo } from '../components/time-ago';
import { ActivityPanel } from '../device/activity-panel';
import { AlertsPanel } from '../device/alerts-panel';
import { CommandsPanel } from '../device/commands-panel';
import { MetricsCharts } from '../device/metrics-charts';
import { ProcessesPanel } from '../device/processes-panel';
import { ScreenshotsPanel } from '../device/screenshots-panel';
import { useLiveEvent } from '../live/use-live';
import { withSample } from '../lib/online';
import { useQueryParams } from '../lib/use-query-param';
import { useResource } from '../lib/use-resource';

const TABS = {
  alerts: 'Alerts',
  commands: 'Commands',
  processes: 'Processes',
  activity: 'Activity',
  screenshots: 'Screenshots',
} as const;
type Tab = keyof typeof TABS;
const TAB_NAMES = Object.keys(TABS) as Tab[];

function Facts({ device }: { device: Device }) {
  const facts: [string, string | null][] = [
    ['Type', device.device_type],
    ['OS', device.os],
    ['Location', device.device_location],
    ['User', device.current_user],
    ['IP', device.ip_address],
    ['MAC', device.mac_address],
  ];
  return (
    <dl className="facts">
      {facts
        .filter(([, value]) => value)
        .map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

export function DevicePage() {
  const { id } = useParams<{ id: string }>();
  const deviceid = decodeURIComponent(id);
  const [params, setParams] = useQueryParams();
  const tab: Tab =
    (params.get('tab') ?? 'alerts') in TABS ? ((params.get('tab') as Tab) ?? 'alerts') : 'alerts';
  const device = useResource(
    (signal) => api<Device>(`/devices/${encodeURIComponent(deviceid)}`, { signal }),
    deviceid,
  );

  useLiveEvent(
    ['metrics', 'device', 'alerts'],
    (event) => {
      device.setData((current) => {
        if (!current) return current;
        if (event.type === 'metrics' && event.records[0])
          return withSample(current, event.records[0]);
        if (event.type === 'device')
          return { ...current, ...(event.records[0] as Partial<Device>) };
        return current;
      });
      if (event.type === 'alerts') device.reload();
    },
    deviceid,
  );

  // Arrow keys move between tabs, as in any tab list.
  const moveTab = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = TAB_NAMES[(TAB_NAMES.indexOf(tab) + step + TAB_NAMES.length) % TAB_NAMES.length];
    setParams({ tab: next }, true);
    document.getElementById(`tab-${next}`)?.focus();
  };

  if (device.error && !device.data) {
    return (
      <section data-page="device" data-loaded="true">
        <ErrorState error={device.error} onRetry={device.reload} />
      </section>
    );
  }
  if (!device.data) {
    return (
      <section data-page="device">
        <Loading />
      </section>
    );
  }
  const d = device.data;
  const online = d.online;
  return (
    <section data-page="device" data-loaded="true" data-device={d.deviceid}>
      <Link href="/devices" className="small back-link">
        ← All devices
      </Link>
      <div className="page-head">
        <div>
          <h1>{d.device_name || d.deviceid}</h1>
          {d.device_name && <div className="muted mono small">{d.deviceid}</div>}
        </div>
        <span className={`badge ${online ? 'online' : ''}`} data-online={online}>
          {online ? 'online' : 'offline'}
        </span>
        <span className="muted small">
          last seen <TimeAgo at={d.last_seen_at} />
        </span>
        <AlertCounts counts={d.open_alerts} />
      </div>
      <Facts device={d} />
      <MetricsCharts deviceid={deviceid} />
      <div className="tabs" role="tablist" aria-label="Device details" onKeyDown={moveTab}>
        {TAB_NAMES.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={tab === name}
            aria-controls="device-tabpanel"
            tabIndex={tab === name ? 0 : -1}
            onClick={() => setParams({ tab: name })}
          >
            {TABS[name]}
          </button>
        ))}
      </div>
      <div id="device-tabpanel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'alerts' && <AlertsPanel deviceid={deviceid} />}
        {tab === 'commands' && <CommandsPanel deviceid={deviceid} />}
        {tab === 'processes' && <ProcessesPanel deviceid={deviceid} />}
        {tab === 'activity' && <ActivityPanel deviceid={deviceid} />}
        {tab === 'screenshots' && <ScreenshotsPanel deviceid={deviceid} />}
      </div>
    </section>
  );
}
