import { SERVICE_TOKENS, ServiceTokenGuard } from '@app/platform';
import { Module } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

@Module({
  controllers: [IngestController],
  providers: [
    IngestService,
    ServiceTokenGuard,
    {
      provide: SERVICE_TOKENS,
      inject: [MentorConfig],
      useFactory: (config: MentorConfig): string[] =>
        config.MENTOR_API_TOKEN ? [config.MENTOR_API_TOKEN] : [],
    },
  ],
  exports: [IngestService],
})
export class IngestModule {}
