import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import type { Device } from '../api/types';
import { AlertCounts } from '../components/alert-counts';
import { Sparkline } from '../components/sparkline';
import { TimeAgo } from '../components/time-ago';
import { formatBytes, formatPercent } from '../lib/format';
import { memoryPercent } from '../lib/online';

const ROW_HEIGHT = 49;
const OVERSCAN = 8;

/**
 * The device list as a table that renders only the rows in view (plus a few), so a thousand
 * devices scroll as smoothly as ten; spacer rows keep the scroll height right.
 */
export function DeviceTable({ devices }: { devices: Device[] }) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    const resize = new ResizeObserver(update);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      resize.disconnect();
    };
  }, []);

  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(
    devices.length,
    Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN,
  );
  const rows = devices.slice(first, last);

  return (
    <div ref={box} className="scroll device-table" tabIndex={-1}>
      <table className="table">
        <thead>
          <tr>
            <th>Device</th>
            <th>Status</th>
            <th>Last seen</th>
            <th className="num">CPU</th>
            <th>CPU, last hour</th>
            <th className="num">Memory</th>
            <th>Memory, last hour</th>
            <th>Open alerts</th>
          </tr>
        </thead>
        <tbody>
          {first > 0 && (
            <tr aria-hidden="true" style={{ height: first * ROW_HEIGHT }}>
              <td colSpan={8} />
            </tr>
          )}
          {rows.map((device) => {
            const online = device.online;
            const spark = Array.isArray(device.sparkline?.cpu) ? device.sparkline : undefined;
            const mem = memoryPercent(device);
            return (
              <tr
                key={device.deviceid}
                data-device={device.deviceid}
                style={{ height: ROW_HEIGHT }}
              >
                <td>
                  <Link href={`/devices/${encodeURIComponent(device.deviceid)}`}>
                    {device.device_name || device.deviceid}
                  </Link>
                  {device.device_name && <div className="muted small mono">{device.deviceid}</div>}
                </td>
                <td>
                  <span className={`badge ${online ? 'online' : ''}`} data-online={online}>
                    {online ? 'online' : 'offline'}
                  </span>
                </td>
                <td>
                  <TimeAgo at={device.last_seen_at} />
                </td>
                <td className="num" data-cpu>
                  {formatPercent(device.latest?.cpu_usage)}
                </td>
                <td>
                  {spark ? (
                    <Sparkline values={spark.cpu} max={100} label="CPU trend" />
                  ) : (
                    <span className="muted small">—</span>
                  )}
                </td>
                <td className="num" title={formatBytes(device.latest?.memory_used)}>
                  {formatPercent(mem)}
                </td>
                <td>
                  {spark ? (
                    <Sparkline
                      values={spark.mem}
                      max={100}
                      label="Memory trend"
                      className="spark mem"
                    />
                  ) : (
                    <span className="muted small">—</span>
                  )}
                </td>
                <td>
                  <AlertCounts counts={device.open_alerts} />
                </td>
              </tr>
            );
          })}
          {last < devices.length && (
            <tr aria-hidden="true" style={{ height: (devices.length - last) * ROW_HEIGHT }}>
              <td colSpan={8} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
