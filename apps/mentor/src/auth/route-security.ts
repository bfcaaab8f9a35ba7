import { type RouteSecurityRules, ServiceTokenGuard } from '@app/platform';
import type { DocumentBuilder } from '@nestjs/swagger';
import { EventsAuthGuard } from '../events/events-auth.guard';
import { needsSession } from './session.guard';

/** The Mentor's credentials, as /docs offers them to "Try it out". */
export function mentorSecuritySchemes(builder: DocumentBuilder): DocumentBuilder {
  return builder
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'service-token')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'session')
    .addApiKey({ type: 'apiKey', in: 'query', name: 'ticket' }, 'events-ticket');
}

/**
 * Which of them each route needs: a session from the global guard (unless `@Public()` or a
 * service route, by the guard's own rule), or what the route's own guard accepts.
 */
export const MENTOR_ROUTE_SECURITY: RouteSecurityRules = {
  global: (reflector, targets) => (needsSession(reflector, targets) ? ['session'] : []),
  guards: [
    [ServiceTokenGuard, ['service-token']],
    [EventsAuthGuard, ['session', 'events-ticket']],
  ],
};
