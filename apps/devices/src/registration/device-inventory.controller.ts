import { ListQueryDto, DeviceIdPipe } from '@app/contracts';
import { errorBody, SqlPool } from '@app/platform';
import {
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DeviceTokenService } from '../auth/device-token.service';
import { OperatorKeyGuard } from '../auth/operator-key.guard';
import { DEVICE_COLUMNS, type DeviceRow } from './device-row';

/** Operator reads of the devices this service knows, newest registration first. */
@ApiTags('devices')
@UseGuards(OperatorKeyGuard)
@Controller('api/v1/devices')
export class DeviceInventoryController {
  constructor(
    private readonly pool: SqlPool,
    private readonly tokens: DeviceTokenService,
  ) {}

  @Get()
  async list(@Query() query: ListQueryDto): Promise<DeviceRow[]> {
    const { rows } = await this.pool.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices
        WHERE ($1::timestamptz IS NULL OR (registered_at, deviceid) < ($1::timestamptz, COALESCE($2, '')))
          AND ($3::timestamptz IS NULL OR registered_at > $3::timestamptz)
        ORDER BY registered_at DESC, deviceid DESC
        LIMIT $4`,
      [query.before ?? null, query.before_id ?? null, query.since ?? null, query.limit],
    );
    return rows;
  }

  @Get(':id')
  async get(@Param('id', DeviceIdPipe) id: string): Promise<DeviceRow> {
    const { rows } = await this.pool.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE deviceid = $1`,
      [id],
    );
    if (rows.length === 0) throw new NotFoundException(errorBody(404, `Device ${id} not found`));
    return rows[0];
  }

  /**
   * Revokes the device's token at once (on this replica; others within
   * DEVICE_TOKEN_CACHE_TTL). The device must enrol again with the enrollment secret.
   */
  @Post(':id/revoke-token')
  @HttpCode(204)
  async revokeToken(@Param('id', DeviceIdPipe) id: string): Promise<void> {
    await this.get(id);
    await this.tokens.revoke(id);
  }
}
