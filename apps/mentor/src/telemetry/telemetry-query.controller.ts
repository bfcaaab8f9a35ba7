import {
  DeviceIdPipe,
  MetricsQueryDto,
  ProcessesQueryDto,
  TimeRangeQueryDto,
} from '@app/contracts';
import { Controller, Get, Header, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { TelemetryQueryService } from './telemetry-query.service';

type Row = Record<string, unknown>;

/** Per-device telemetry for the dashboard; every record carries its devices-side id. */
@ApiTags('telemetry')
@Controller('devices/:id')
export class TelemetryQueryController {
  constructor(private readonly telemetry: TelemetryQueryService) {}

  /** Raw samples (newest first, paged), or with `points` the range downsampled in SQL. */
  @Get('metrics')
  // Both answers are JSON; with this type Fastify sends the downsampled one, JSON text from
  // PostgreSQL, as it is instead of as text/plain (objects it serialises as before).
  @Header('content-type', 'application/json; charset=utf-8')
  async metrics(
    @Param('id', DeviceIdPipe) id: string,
    @Query() query: MetricsQueryDto,
  ): Promise<Row[] | string> {
    return this.telemetry.metrics(id, query);
  }

  @Get('activities')
  async activities(
    @Param('id', DeviceIdPipe) id: string,
    @Query() query: TimeRangeQueryDto,
  ): Promise<Row[]> {
    return this.telemetry.activities(id, query);
  }

  /** The latest snapshot's processes; `X-Total-Count` says how many it holds before `limit`. */
  @Get('processes')
  async processes(
    @Param('id', DeviceIdPipe) id: string,
    @Query() query: ProcessesQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Row[]> {
    const { processes, total } = await this.telemetry.processes(id, query);
    void reply.header('x-total-count', String(total));
    return processes;
  }
}
