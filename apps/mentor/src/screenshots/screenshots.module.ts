import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module';
import { ScreenshotIngestController } from './screenshot-ingest.controller';
import { ScreenshotsController } from './screenshots.controller';
import { ScreenshotsService } from './screenshots.service';

@Module({
  imports: [FleetModule],
  controllers: [ScreenshotIngestController, ScreenshotsController],
  providers: [ScreenshotsService],
})
export class ScreenshotsModule {}
