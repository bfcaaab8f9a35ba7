import { SERVICE_TOKENS, ServiceTokenGuard } from '@app/platform';
import { Module } from '@nestjs/common';
import { DevicesConfig } from '../config/devices.config';
import { ExportController } from './export.controller';
import { ExportService } from './export.service';

@Module({
  controllers: [ExportController],
  providers: [
    ExportService,
    ServiceTokenGuard,
    {
      provide: SERVICE_TOKENS,
      inject: [DevicesConfig],
      useFactory: (config: DevicesConfig): string[] =>
        config.MENTOR_API_TOKEN ? [config.MENTOR_API_TOKEN] : [],
    },
  ],
})
export class ExportModule {}
