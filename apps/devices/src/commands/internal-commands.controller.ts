import { InternalCommandDto, MAX_BATCH_ITEMS } from '@app/contracts';
import { BatchBodyPipe, ServiceTokenGuard } from '@app/platform';
import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CommandsService } from './commands.service';

/** The mentor's command hand-off (service token); idempotent by commandid. */
@ApiTags('internal (service)')
@SkipThrottle()
@UseGuards(ServiceTokenGuard)
@Controller('api/v1/internal/commands')
export class InternalCommandsController {
  constructor(private readonly commands: CommandsService) {}

  @Post()
  @HttpCode(200)
  @ApiBody({ type: [InternalCommandDto] })
  async receive(
    @Body(new BatchBodyPipe(InternalCommandDto, { allowSingle: true, maxItems: MAX_BATCH_ITEMS }))
    body: InternalCommandDto[],
    @Req() request: FastifyRequest,
  ): Promise<{ received: number; stored: number }> {
    return this.commands.receive(body, request.id);
  }
}
