import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { SyncController } from './sync.controller';
import { SyncService } from './sync.service';

@Module({
  imports: [IngestModule],
  controllers: [SyncController],
  providers: [SyncService],
})
export class SyncModule {}
