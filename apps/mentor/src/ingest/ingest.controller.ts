import {
  ForwardedActivityDto,
  ForwardedAlertDto,
  ForwardedDeviceDto,
  ForwardedMetricDto,
  ForwardedProcessSnapshotDto,
  MAX_FORWARDED_BATCH,
} from '@app/contracts';
import { BatchBodyPipe, ServiceAuth, ServiceTokenGuard } from '@app/platform';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { IngestOutcome, IngestService } from './ingest.service';

const batch = { allowSingle: true, maxItems: MAX_FORWARDED_BATCH };

/**
 * Ingest from the Devices service only (service token, not a user session). Paths are the
 * reference's; each accepts one record or an array and is idempotent. The per-IP limit does
 * not apply: all of a Devices deployment's relays may come from one address.
 */
@ApiTags('ingest (service)')
@ServiceAuth()
@SkipThrottle()
@UseGuards(ServiceTokenGuard)
@Controller()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post('devices/register')
  @HttpCode(200)
  @ApiBody({ type: [ForwardedDeviceDto] })
  async devices(
    @Body(new BatchBodyPipe(ForwardedDeviceDto, batch)) body: ForwardedDeviceDto[],
  ): Promise<IngestOutcome> {
    return this.ingest.ingestDevices(body);
  }

  @Post('devices/metrics')
  @HttpCode(200)
  @ApiBody({ type: [ForwardedMetricDto] })
  async metrics(
    @Body(new BatchBodyPipe(ForwardedMetricDto, batch)) body: ForwardedMetricDto[],
  ): Promise<IngestOutcome> {
    return this.ingest.ingestRecords('metrics', body);
  }

  @Post('devices/activity')
  @HttpCode(200)
  @ApiBody({ type: [ForwardedActivityDto] })
  async activities(
    @Body(new BatchBodyPipe(ForwardedActivityDto, batch)) body: ForwardedActivityDto[],
  ): Promise<IngestOutcome> {
    return this.ingest.ingestRecords('activities', body);
  }

  @Post('devices/alerts')
  @HttpCode(200)
  @ApiBody({ type: [ForwardedAlertDto] })
  async alerts(
    @Body(new BatchBodyPipe(ForwardedAlertDto, batch)) body: ForwardedAlertDto[],
  ): Promise<IngestOutcome> {
    return this.ingest.ingestRecords('alerts', body);
  }

  @Post('devices/processes')
  @HttpCode(200)
  @ApiBody({ type: [ForwardedProcessSnapshotDto] })
  async processes(
    @Body(new BatchBodyPipe(ForwardedProcessSnapshotDto, batch))
    body: ForwardedProcessSnapshotDto[],
  ): Promise<IngestOutcome> {
    return this.ingest.ingestProcessSnapshots(body);
  }
}
