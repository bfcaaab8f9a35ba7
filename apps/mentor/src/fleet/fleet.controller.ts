import { DeviceIdPipe, DeviceListQueryDto } from '@app/contracts';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { DeviceView } from './device-view';
import { FleetService } from './fleet.service';

@ApiTags('fleet')
@Controller()
export class FleetController {
  constructor(private readonly fleet: FleetService) {}

  /** Devices, most recently seen first, with online state, latest sample and open alerts. */
  @Get('devices')
  async list(@Query() query: DeviceListQueryDto): Promise<DeviceView[]> {
    return this.fleet.list(query);
  }

  @Get('devices/:id')
  async get(@Param('id', DeviceIdPipe) id: string): Promise<DeviceView> {
    return this.fleet.get(id);
  }

  @Get('fleet/summary')
  async summary(): Promise<Record<string, unknown>> {
    return this.fleet.summary();
  }
}
