import { ForwardedScreenshotDto } from '@app/contracts';
import { BatchBodyPipe, ServiceAuth, ServiceTokenGuard } from '@app/platform';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { ScreenshotsService } from './screenshots.service';

/** Forwarded screenshots with their images (service token); idempotent by id. */
@ApiTags('ingest (service)')
@ServiceAuth()
@SkipThrottle()
@UseGuards(ServiceTokenGuard)
@Controller('devices/screenshots')
export class ScreenshotIngestController {
  constructor(private readonly screenshots: ScreenshotsService) {}

  @Post()
  @HttpCode(200)
  @ApiBody({ type: [ForwardedScreenshotDto] })
  async ingest(
    @Body(new BatchBodyPipe(ForwardedScreenshotDto, { allowSingle: true, maxItems: 100 }))
    body: ForwardedScreenshotDto[],
  ): Promise<{ received: number; stored: number; duplicates: number }> {
    return this.screenshots.ingest(body);
  }
}
