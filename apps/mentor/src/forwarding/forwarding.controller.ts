import { DeadLetterQueryDto, ReplayRequestDto } from '@app/contracts';
import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Roles } from '../auth/roles.decorator';
import { DevicesForwardingClient } from './devices-forwarding.client';

/** Devices' forwarding backlog and dead letters, for the dashboard's forwarding page. */
@ApiTags('forwarding')
@Controller('forwarding')
export class ForwardingController {
  constructor(private readonly devices: DevicesForwardingClient) {}

  @Get('backlog')
  backlog(@Req() request: FastifyRequest): Promise<unknown> {
    return this.devices.get('backlog', new URLSearchParams(), request.id);
  }

  @Get('dead-letters')
  deadLetters(
    @Query() query: DeadLetterQueryDto,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.before !== undefined) params.set('before', query.before);
    if (query.type !== undefined) params.set('type', query.type);
    return this.devices.get('dead-letters', params, request.id);
  }

  @Post('dead-letters/replay')
  @Roles('admin')
  @HttpCode(202)
  replay(@Body() body: ReplayRequestDto, @Req() request: FastifyRequest): Promise<unknown> {
    return this.devices.post('dead-letters/replay', body, request.id);
  }
}
