import type { Pool } from 'pg';
import { prepared } from '../../libs/platform/src/database/prepared-statement';
import { ALERT_COLUMNS } from '../../apps/mentor/src/alerts/alerts.sql';
import { DEVICE_ORDER, deviceViewSql, SPARKLINES } from '../../apps/mentor/src/fleet/fleet.sql';
import { DEVICES } from '../lib/dashboard-data';
import { bucketPlan } from '../../apps/mentor/src/telemetry/bucket-plan';
import { ROLLUP_BUCKETS_JSON } from '../../apps/mentor/src/telemetry/bucket-json.sql';

const ONLINE_WINDOW_MS = 120_000;
const EXISTS = 'SELECT 1 FROM devices WHERE deviceid = $1';

/**
 * The baseline of each dashboard query: the statements the Mentor runs for it (built by the same
 * SQL modules), sent straight through node-postgres as the same named statements, with no HTTP,
 * auth or JSON in between. The API's throughput over this one is the share the service layer
 * leaves of the database's.
 */
export function dashboardSql(
  pool: Pool,
): Record<'list' | 'metrics' | 'alerts' | 'sparklines', (device: string) => Promise<void>> {
  return {
    list: async () => {
      const page = `SELECT * FROM devices d ${DEVICE_ORDER} LIMIT 100`;
      await pool.query(prepared(`${deviceViewSql(page)} ${DEVICE_ORDER}`, [ONLINE_WINDOW_MS]));
    },
    // One statement: it checks the device itself.
    metrics: async (device) => {
      const to = Date.now();
      const from = to - 86_400_000;
      const plan = bucketPlan(from, to, 300);
      const iso = (ms: number): string => new Date(ms).toISOString();
      await pool.query(
        prepared(ROLLUP_BUCKETS_JSON, [
          device,
          iso(from),
          iso(to),
          plan.width,
          iso(plan.rollups!.from),
          iso(plan.rollups!.to),
          iso(plan.origin),
        ]),
      );
    },
    // The whole fleet's page, then its sparklines: 24 buckets of the last hour.
    sparklines: async () => {
      const page = `SELECT * FROM devices d ${DEVICE_ORDER} LIMIT ${DEVICES}`;
      const { rows } = await pool.query<{ deviceid: string }>(
        prepared(`${deviceViewSql(page)} ${DEVICE_ORDER}`, [ONLINE_WINDOW_MS]),
      );
      const bin = 3_600_000 / 24;
      const end = (Math.floor(Date.now() / bin) + 1) * bin;
      await pool.query(
        prepared(SPARKLINES, [
          rows.map((row) => row.deviceid),
          bin,
          new Date(end - 24 * bin).toISOString(),
          new Date(end).toISOString(),
        ]),
      );
    },
    alerts: async (device) => {
      await pool.query(prepared(EXISTS, [device]));
      await pool.query(
        prepared(
          `SELECT ${ALERT_COLUMNS} FROM alerts WHERE deviceid = $1 ORDER BY ts DESC, id DESC LIMIT 100`,
          [device],
        ),
      );
    },
  };
}
