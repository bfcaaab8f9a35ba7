import { RouteRateLimiter } from '@app/platform';
import { Module } from '@nestjs/common';
import { DeviceAuthModule } from '../auth/auth.module';
import { ForwardingModule } from '../forwarding/forwarding.module';
import { WebhookEventsModule } from '../webhooks/webhook-events.module';
import { RegistrationModule } from '../registration/registration.module';
import { TelemetryIngestService } from './telemetry-ingest.service';
import { TelemetryRoutes } from './telemetry.routes';

/** Telemetry writes: routes TelemetryRoutes registers on Fastify when the module starts. */
@Module({
  imports: [ForwardingModule, WebhookEventsModule, RegistrationModule, DeviceAuthModule],
  providers: [TelemetryIngestService, TelemetryRoutes, RouteRateLimiter],
})
export class TelemetryModule {}
