import type { Pool } from 'pg';
import { prepared } from '../../libs/platform/src/database/prepared-statement';
import { ALERT_COLUMNS } from '../../apps/mentor/src/alerts/alerts.sql';
import { DEVICE_ORDER, deviceViewSql } from '../../apps/mentor/src/fleet/fleet.sql';
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
): Record<'list' | 'metrics' | 'alerts', (device: string) => Promise<void>> {
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
