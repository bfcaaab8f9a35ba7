import { DeadLetterQueryDto, ReplayRequestDto } from '@app/contracts';
import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { OperatorKeyGuard } from '../auth/operator-key.guard';
import { ForwardingService } from './forwarding.service';

/** What an operator needs to see and fix the hand-off to the mentor. */
@ApiTags('forwarding')
@UseGuards(OperatorKeyGuard)
@Controller('api/v1/forwarding')
export class ForwardingController {
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
