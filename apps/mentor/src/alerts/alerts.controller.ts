import { AlertsQueryDto, DeviceIdPipe } from '@app/contracts';
import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { actorOf } from '../common/actor';
import { Roles } from '../auth/roles.decorator';
import { AlertsService } from './alerts.service';

type Row = Record<string, unknown>;

@ApiTags('alerts')
@Controller('devices/:id/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  async list(
    @Param('id', DeviceIdPipe) id: string,
    @Query() query: AlertsQueryDto,
  ): Promise<Row[]> {
    return this.alerts.list(id, query);
  }

  /** Acting on alerts is an admin's job; viewers read. */
  @Post(':alertid/ack')
  @Roles('admin')
  @HttpCode(200)
  async acknowledge(
    @Param('id', DeviceIdPipe) id: string,
    @Param('alertid', new ParseUUIDPipe()) alertid: string,
    @Req() request: FastifyRequest,
  ): Promise<Row> {
    return this.alerts.transition(id, alertid, 'acknowledged', actorOf(request));
  }

  @Post(':alertid/resolve')
  @Roles('admin')
  @HttpCode(200)
  async resolve(
    @Param('id', DeviceIdPipe) id: string,
    @Param('alertid', new ParseUUIDPipe()) alertid: string,
    @Req() request: FastifyRequest,
  ): Promise<Row> {
    return this.alerts.transition(id, alertid, 'resolved', actorOf(request));
  }
}
