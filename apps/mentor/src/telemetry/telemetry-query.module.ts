import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module';
import { TelemetryQueryController } from './telemetry-query.controller';
import { TelemetryQueryService } from './telemetry-query.service';

@Module({
  imports: [FleetModule],
  controllers: [TelemetryQueryController],
  providers: [TelemetryQueryService],
})
export class TelemetryQueryModule {}
