import { ExportRequestDto, type ExportPage } from '@app/contracts';
import { ServiceTokenGuard } from '@app/platform';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ExportService } from './export.service';

/** The export feed the mentor pulls from to reconcile (service token only). */
@ApiTags('export (service)')
@UseGuards(ServiceTokenGuard)
@Controller('api/v1/export')
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  @Post()
  @HttpCode(200)
  async export(@Body() body: ExportRequestDto): Promise<ExportPage> {
    return this.exports.page(body.since, body.limit);
  }
}
