import { OutboundHttpModule } from '@app/delivery';
import { Module } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';
import { IngestModule } from '../ingest/ingest.module';
import { DevicesExportClient } from './devices-export.client';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

@Module({
  imports: [
    IngestModule,
    OutboundHttpModule.registerAsync({
      inject: [MentorConfig],
      timeoutMs: (config: MentorConfig) => config.SYNC_TIMEOUT,
    }),
  ],
  controllers: [SyncController],
  providers: [SyncService, DevicesExportClient],
})
export class SyncModule {}
