import { Module } from '@nestjs/common';
import { DeviceAuthModule } from '../auth/auth.module';
import { ForwardingModule } from '../forwarding/forwarding.module';
import { RegistrationModule } from '../registration/registration.module';
import { TelemetryController } from './telemetry.controller';
import { TelemetryIngestService } from './telemetry-ingest.service';

@Module({
  imports: [ForwardingModule, RegistrationModule, DeviceAuthModule],
  controllers: [TelemetryController],
  providers: [TelemetryIngestService],
})
export class TelemetryModule {}
