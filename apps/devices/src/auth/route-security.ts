import { type RouteSecurityRules, ServiceTokenGuard } from '@app/platform';
import type { DocumentBuilder } from '@nestjs/swagger';
import { DeviceTokenGuard } from './device-token.guard';
import { EnrollmentSecretGuard } from './enrollment-secret.guard';
import { OperatorKeyGuard } from './operator-key.guard';

/** The security scheme of the routes a device calls for itself (also the telemetry routes). */
export const DEVICE_TOKEN_SCHEME = 'device-token';

/** The Devices service's credentials, as /docs offers them to "Try it out". */
export function devicesSecuritySchemes(builder: DocumentBuilder): DocumentBuilder {
  return builder
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, DEVICE_TOKEN_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'service-token')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'operator-key')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Enrollment-Secret' }, 'enrollment-secret');
}

/** Which of them each route needs: the guard it is behind says it (no global auth guard here). */
export const DEVICES_ROUTE_SECURITY: RouteSecurityRules = {
  guards: [
    [DeviceTokenGuard, [DEVICE_TOKEN_SCHEME]],
    [ServiceTokenGuard, ['service-token']],
    [OperatorKeyGuard, ['operator-key']],
    [EnrollmentSecretGuard, ['enrollment-secret']],
  ],
};
