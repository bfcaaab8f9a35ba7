import { DeviceIdPipe } from '@app/contracts';
import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DeviceAuth } from '../auth/device-auth.decorator';
import { DevicesConfig } from '../config/devices.config';
import { readUpload } from './screenshot-upload';
import { ScreenshotsService, type ScreenshotResult } from './screenshots.service';

@ApiTags('screenshots')
@DeviceAuth()
@Controller('api/v1/devices/:id/screenshots')
export class ScreenshotsController {
  constructor(
    private readonly screenshots: ScreenshotsService,
    private readonly config: DevicesConfig,
  ) {}

  /** Multipart field `file` (PNG, JPEG or WebP, by content); optional `id` and `timestamp` before it. */
  @Post()
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        timestamp: { type: 'string', format: 'date-time' },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  async upload(
    @Param('id', DeviceIdPipe) deviceid: string,
    @Req() request: FastifyRequest,
  ): Promise<ScreenshotResult> {
    const upload = await readUpload(request, this.config.SCREENSHOT_MAX_BYTES);
    return this.screenshots.ingest(deviceid, upload, request.id);
  }
}
