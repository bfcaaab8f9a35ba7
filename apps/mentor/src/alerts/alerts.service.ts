import type { AlertsQueryDto } from '@app/contracts';
import { errorBody, SqlPool, prepared } from '@app/platform';
import { Injectable, NotFoundException } from '@nestjs/common';
import { SqlFilter } from '../common/sql-filter';
import { FleetService } from '../fleet/fleet.service';
import { ACKNOWLEDGE, ALERT_BY_ID, ALERT_COLUMNS, RESOLVE } from './alerts.sql';

type Row = Record<string, unknown>;

@Injectable()
export class AlertsService {
  constructor(
    private readonly pool: SqlPool,
    private readonly fleet: FleetService,
  ) {}

  async list(deviceid: string, query: AlertsQueryDto): Promise<Row[]> {
    await this.fleet.assertExists(deviceid);
    const filter = new SqlFilter();
    filter.add((p) => `deviceid = ${p(deviceid)}`);
    if (query.level) filter.add((p) => `level = ${p(query.level)}`);
    if (query.state) filter.add((p) => `state = ${p(query.state)}`);
    filter.window(query);
    const limit = filter.param(query.limit);
    const { rows } = await this.pool.query(
      prepared(
        `SELECT ${ALERT_COLUMNS} FROM alerts ${filter.where} ORDER BY ts DESC, id DESC LIMIT ${limit}`,
        filter.params,
      ),
    );
    return rows;
  }

  /**
   * Moves an alert forward (open -> acknowledged -> resolved), recording who and when.
   * Repeating a step is harmless: the alert is returned as it stands.
   */
  async transition(
    deviceid: string,
    alertid: string,
    to: 'acknowledged' | 'resolved',
    who: string,
  ): Promise<Row> {
    const { rows } = await this.pool.query(to === 'resolved' ? RESOLVE : ACKNOWLEDGE, [
      deviceid,
      alertid,
      who,
    ]);
    if (rows.length > 0) return rows[0];
    const current = await this.pool.query(ALERT_BY_ID, [deviceid, alertid]);
    if (current.rows.length === 0) {
      throw new NotFoundException(
        errorBody(404, `Alert ${alertid} of device ${deviceid} not found`),
      );
    }
    return current.rows[0];
  }
}
