import { DeviceIdPipe, TimeRangeQueryDto } from '@app/contracts';
import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ScreenshotsService, type ScreenshotView } from './screenshots.service';

/** The screenshot gallery: metadata lists and the images themselves, through the API. */
@ApiTags('screenshots')
@Controller('devices/:id/screenshots')
export class ScreenshotsController {
  constructor(private readonly screenshots: ScreenshotsService) {}

  @Get()
  async list(
    @Param('id', DeviceIdPipe) id: string,
    @Query() query: TimeRangeQueryDto,
  ): Promise<ScreenshotView[]> {
    return this.screenshots.list(id, query);
  }

  /** The exact bytes that were uploaded, with their content type. */
  @Get(':screenshotid/image')
  @ApiProduces('image/png', 'image/jpeg', 'image/webp')
  async image(
    @Param('id', DeviceIdPipe) id: string,
    @Param('screenshotid', new ParseUUIDPipe()) screenshotid: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { screenshot, bytes } = await this.screenshots.image(id, screenshotid);
    await reply
      .header('content-type', screenshot.content_type)
      .header('content-length', String(bytes.length))
      .header('etag', `"${screenshot.sha256}"`)
      .header('cache-control', 'private, max-age=86400, immutable')
      .send(bytes);
  }
}
