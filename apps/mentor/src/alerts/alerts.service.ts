import type { AlertsQueryDto } from '@app/contracts';
import { errorBody, SqlPool, prepared } from '@app/platform';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { SqlFilter } from '../common/sql-filter';
import { FleetService } from '../fleet/fleet.service';
import { AlertCountEntity } from './alert-count.entity';
import { AlertEntity } from './alert.entity';
import { ALERT_COLUMNS } from './alerts.sql';

type Row = Record<string, unknown>;

@Injectable()
export class AlertsService {
  constructor(
    private readonly pool: SqlPool,
    @InjectRepository(AlertEntity) private readonly alerts: Repository<AlertEntity>,
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
    return this.alerts.manager.transaction(async (manager) => {
      const alert = await manager.findOne(AlertEntity, {
        where: { deviceid, id: alertid },
        lock: { mode: 'pessimistic_write' },
      });
      if (!alert) {
        throw new NotFoundException(
          errorBody(404, `Alert ${alertid} of device ${deviceid} not found`),
        );
      }
      const now = new Date();
      const changes: Partial<AlertEntity> = {};
      if (to === 'acknowledged' && alert.state === 'open') {
        Object.assign(changes, { state: to, acknowledged_by: who, acknowledged_at: now });
      }
      if (to === 'resolved' && alert.state !== 'resolved') {
        Object.assign(changes, {
          state: to,
          resolved_by: who,
          resolved_at: now,
          acknowledged_by: alert.acknowledged_by ?? who,
          acknowledged_at: alert.acknowledged_at ?? now,
        });
        // The counters the device list reads change in the same transaction.
        await manager.decrement(
          AlertCountEntity,
          { deviceid: alert.deviceid, level: alert.level },
          'unresolved',
          1,
        );
      }
      if (Object.keys(changes).length > 0) {
        // By id, not by the key (id, ts): a JavaScript Date drops the microseconds of `ts`.
        await manager.update(AlertEntity, { deviceid, id: alertid }, changes);
      }
      const { ts, ...rest } = { ...alert, ...changes };
      return { ...rest, timestamp: ts };
    });
  }
}
