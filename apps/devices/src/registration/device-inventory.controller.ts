import { ListQueryDto, DeviceIdPipe } from '@app/contracts';
import { errorBody } from '@app/platform';
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
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DeviceTokenService } from '../auth/device-token.service';
import { OperatorKeyGuard } from '../auth/operator-key.guard';
import { DeviceEntity } from './device.entity';

/** Operator reads of the devices this service knows, newest registration first. */
@ApiTags('devices')
@UseGuards(OperatorKeyGuard)
@Controller('api/v1/devices')
export class DeviceInventoryController {
  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    private readonly tokens: DeviceTokenService,
  ) {}

  @Get()
  async list(@Query() query: ListQueryDto): Promise<DeviceEntity[]> {
    const select = this.devices
      .createQueryBuilder('d')
      .orderBy('d.registered_at', 'DESC')
      .addOrderBy('d.deviceid', 'DESC')
      .limit(query.limit);
    if (query.before !== undefined) {
      // Keyset paging: the page after (before, before_id) in this order.
      select.andWhere('(d.registered_at, d.deviceid) < (CAST(:before AS timestamptz), :beforeId)', {
        before: query.before,
        beforeId: query.before_id ?? '',
      });
    }
    if (query.since !== undefined) {
      select.andWhere('d.registered_at > CAST(:since AS timestamptz)', { since: query.since });
    }
    return select.getMany();
  }

  @Get(':id')
  async get(@Param('id', DeviceIdPipe) id: string): Promise<DeviceEntity> {
    const device = await this.devices.findOneBy({ deviceid: id });
    if (!device) throw new NotFoundException(errorBody(404, `Device ${id} not found`));
    return device;
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
