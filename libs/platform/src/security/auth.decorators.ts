import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'raqeem:public';
export const SERVICE_AUTH = 'raqeem:service-auth';

/**
 * Marks a route (or controller) that needs no credential: health, metrics, sign-in. A service
 * with a global session guard protects everything else by default.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Marks a route (or controller) reached with the service credential instead of a user session
 * (`Authorization: Bearer <MENTOR_API_TOKEN>`); pair it with `@UseGuards(ServiceTokenGuard)`.
 */
export const ServiceAuth = (): MethodDecorator & ClassDecorator => SetMetadata(SERVICE_AUTH, true);
