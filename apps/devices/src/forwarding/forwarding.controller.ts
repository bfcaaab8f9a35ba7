import { DeadLetterQueryDto, ReplayRequestDto } from '@app/contracts';
import { backlogFields } from '@app/delivery';
import { errorBody } from '@app/platform';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
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
  async backlog(): Promise<Record<string, unknown>> {
    const s = await this.forwarding.stats();
    const health = this.forwarding.health();
    return {
      enabled: s.enabled,
      mentor_url: s.mentor_url,
      state: health?.state ?? null,
      state_reason: health?.reason ?? null,
      ...backlogFields(s),
    };
  }

  @Get('dead-letters')
  async deadLetters(@Query() query: DeadLetterQueryDto): Promise<Record<string, unknown>[]> {
    const rows = await this.forwarding.deadLetters({
      limit: query.limit,
      beforeId: query.before,
      topic: query.type,
    });
    return rows.map((row) => ({
      id: row.id,
      type: row.topic,
      record_id: row.recordId,
      attempts: row.attempts,
      created_at: row.createdAt,
      dead_at: row.deadAt,
      reason: row.reason,
      payload: row.payload,
    }));
  }

  @Post('dead-letters/replay')
  @HttpCode(202)
  async replay(@Body() body: ReplayRequestDto): Promise<{ replayed: number }> {
    const selectors = [body.ids !== undefined, body.type !== undefined, body.all === true];
    if (selectors.filter(Boolean).length !== 1) {
      throw new BadRequestException(
        errorBody(400, 'Give exactly one of ids, type or all: true', [
          { field: 'ids|type|all', errors: ['exactly one selector is required'] },
        ]),
      );
    }
    const replayed = await this.forwarding.replay({
      ids: body.ids,
      topic: body.type,
      all: body.all,
    });
    return { replayed };
  }
}
