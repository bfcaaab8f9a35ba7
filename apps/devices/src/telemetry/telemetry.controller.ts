import {
  ActivityDto,
  AlertDto,
  IngestResultDto,
  MAX_BATCH_ITEMS,
  MAX_PROCESSES_PER_SNAPSHOT,
  MetricDto,
  ProcessDto,
  DeviceIdPipe,
} from '@app/contracts';
import { BatchBodyPipe } from '@app/platform';
import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DeviceAuth } from '../auth/device-auth.decorator';
import { TelemetryIngestService } from './telemetry-ingest.service';

const batch = { allowSingle: true, maxItems: MAX_BATCH_ITEMS };

/**
 * Telemetry from agents, each for its own device id only (device token). Each request is
 * all-or-nothing and answered after commit.
 */
@ApiTags('telemetry')
@DeviceAuth()
@Controller('api/v1/devices/:id')
export class TelemetryController {
  constructor(private readonly ingest: TelemetryIngestService) {}

  @Post('metrics')
  @HttpCode(201)
  @ApiBody({ type: [MetricDto], description: 'one metric sample or an array of them' })
  async metrics(
    @Param('id', DeviceIdPipe) deviceid: string,
    @Body(new BatchBodyPipe(MetricDto, batch)) records: MetricDto[],
    @Req() request: FastifyRequest,
  ): Promise<IngestResultDto> {
    return this.ingest.ingest('metrics', deviceid, records, request.id);
  }

  @Post('activities')
  @HttpCode(201)
  @ApiBody({ type: [ActivityDto] })
  async activities(
    @Param('id', DeviceIdPipe) deviceid: string,
    @Body(new BatchBodyPipe(ActivityDto, batch)) records: ActivityDto[],
    @Req() request: FastifyRequest,
  ): Promise<IngestResultDto> {
    return this.ingest.ingest('activities', deviceid, records, request.id);
  }

  @Post('alerts')
  @HttpCode(201)
  @ApiBody({ type: [AlertDto] })
  async alerts(
    @Param('id', DeviceIdPipe) deviceid: string,
    @Body(new BatchBodyPipe(AlertDto, batch)) records: AlertDto[],
    @Req() request: FastifyRequest,
  ): Promise<IngestResultDto> {
    return this.ingest.ingest('alerts', deviceid, records, request.id);
  }

  /** One snapshot of the running processes; it replaces the previous snapshot. */
  @Post('processes')
  @HttpCode(201)
  @ApiBody({ type: [ProcessDto] })
  async processes(
    @Param('id', DeviceIdPipe) deviceid: string,
    @Body(
      new BatchBodyPipe(ProcessDto, { allowSingle: false, maxItems: MAX_PROCESSES_PER_SNAPSHOT }),
    )
    records: ProcessDto[],
    @Req() request: FastifyRequest,
  ): Promise<IngestResultDto> {
    return this.ingest.ingestProcesses(deviceid, records, request.id);
  }
}
