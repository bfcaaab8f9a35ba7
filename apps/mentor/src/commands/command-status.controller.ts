import { ForwardedCommandStatusDto, MAX_FORWARDED_BATCH } from '@app/contracts';
import { BatchBodyPipe, ServiceAuth, ServiceTokenGuard } from '@app/platform';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { CommandsService, type StatusOutcome } from './commands.service';

/** Command state changes forwarded by Devices (service token); idempotent, applied by state order. */
@ApiTags('ingest (service)')
@ServiceAuth()
@SkipThrottle()
@UseGuards(ServiceTokenGuard)
@Controller('commands/status')
export class CommandStatusController {
  constructor(private readonly commands: CommandsService) {}

  @Post()
  @HttpCode(200)
  @ApiBody({ type: [ForwardedCommandStatusDto] })
  async status(
    @Body(
      new BatchBodyPipe(ForwardedCommandStatusDto, {
        allowSingle: true,
        maxItems: MAX_FORWARDED_BATCH,
      }),
    )
    body: ForwardedCommandStatusDto[],
  ): Promise<StatusOutcome> {
    return this.commands.applyStatuses(body);
  }
}
