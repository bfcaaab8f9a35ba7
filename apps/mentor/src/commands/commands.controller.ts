import { CommandListQueryDto, CreateCommandDto, DeviceIdPipe } from '@app/contracts';
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
import { Roles } from '../auth/roles.decorator';
import { actorOf } from '../common/actor';
import type { CommandView } from './command-view';
import { CommandsService } from './commands.service';

@ApiTags('commands')
@Controller('devices/:id/commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  /** Sending commands to devices is an admin's job; who issued it is recorded. */
  @Post()
  @Roles('admin')
  @HttpCode(201)
  async create(
    @Param('id', DeviceIdPipe) id: string,
    @Body() body: CreateCommandDto,
    @Req() request: FastifyRequest,
  ): Promise<CommandView> {
    return this.commands.create(id, body.command_text, actorOf(request), request.id);
  }

  /** Newest first, paged with `before` (created_at) + `before_id` (commandid). */
  @Get()
  async list(
    @Param('id', DeviceIdPipe) id: string,
    @Query() query: CommandListQueryDto,
  ): Promise<CommandView[]> {
    return this.commands.list(id, query);
  }

  @Get(':commandid')
  async get(
    @Param('id', DeviceIdPipe) id: string,
    @Param('commandid', new ParseUUIDPipe()) commandid: string,
  ): Promise<CommandView> {
    return this.commands.get(id, commandid);
  }
}
