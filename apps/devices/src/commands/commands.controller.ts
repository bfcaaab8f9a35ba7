import { CommandResultDto, DeviceIdPipe, PageLimitDto } from '@app/contracts';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DeviceAuth } from '../auth/device-auth.decorator';
import type { CommandRow } from './command-row';
import { CommandsService } from './commands.service';

/** A device polls its commands and reports their progress (its own device token). */
@ApiTags('commands')
@DeviceAuth()
@Controller('api/v1/devices/:id/commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  /** Pending commands, oldest first; each returned one becomes `delivered`. */
  @Get('pending')
  async pending(
    @Param('id', DeviceIdPipe) deviceid: string,
    @Query() query: PageLimitDto,
    @Req() request: FastifyRequest,
  ): Promise<CommandRow[]> {
    return this.commands.poll(deviceid, query.limit, request.id);
  }

  /** `running`, then `completed` or `failed`; out of order is a 409. */
  @Post(':commandid/result')
  @HttpCode(200)
  async result(
    @Param('id', DeviceIdPipe) deviceid: string,
    @Param('commandid', new ParseUUIDPipe()) commandid: string,
    @Body() body: CommandResultDto,
    @Req() request: FastifyRequest,
  ): Promise<CommandRow> {
    return this.commands.report(deviceid, commandid, body, request.id);
  }
}
