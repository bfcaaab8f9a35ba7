import { DeadLetterQueryDto, ReplayRequestDto } from '@app/contracts';
import { ServiceTokenGuard } from '@app/platform';
import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ForwardingService } from './forwarding.service';

/**
 * The operator's forwarding routes again for the Mentor (service token), so its dashboard
 * shows the backlog and replays dead letters without a browser ever holding an operator key.
 * A second controller rather than a shared base class: /docs gives each handler one security.
 */
@ApiTags('internal (service)')
@SkipThrottle()
@UseGuards(ServiceTokenGuard)
@Controller('api/v1/internal/forwarding')
export class InternalForwardingController {
  constructor(private readonly forwarding: ForwardingService) {}

  @Get('backlog')
  backlog(): Promise<Record<string, unknown>> {
    return this.forwarding.backlogView();
  }

  @Get('dead-letters')
  deadLetters(@Query() query: DeadLetterQueryDto): Promise<Record<string, unknown>[]> {
    return this.forwarding.deadLetterViews(query);
  }

  @Post('dead-letters/replay')
  @HttpCode(202)
  replay(@Body() body: ReplayRequestDto): Promise<{ replayed: number }> {
    return this.forwarding.replayRequested(body);
  }
}
