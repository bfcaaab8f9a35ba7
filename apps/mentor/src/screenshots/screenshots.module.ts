import { SERVICE_TOKENS, ServiceTokenGuard } from '@app/platform';
import { Module } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';
import { FleetModule } from '../fleet/fleet.module';
import { ScreenshotIngestController } from './screenshot-ingest.controller';
import { ScreenshotsController } from './screenshots.controller';
import { ScreenshotsService } from './screenshots.service';

@Module({
  imports: [FleetModule],
  controllers: [ScreenshotIngestController, ScreenshotsController],
  providers: [
    ScreenshotsService,
    ServiceTokenGuard,
    {
      provide: SERVICE_TOKENS,
      inject: [MentorConfig],
      useFactory: (config: MentorConfig): string[] =>
        config.MENTOR_API_TOKEN ? [config.MENTOR_API_TOKEN] : [],
    },
  ],
})
export class ScreenshotsModule {}
