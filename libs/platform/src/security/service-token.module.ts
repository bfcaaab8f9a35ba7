import { DynamicModule, Global, Module } from '@nestjs/common';
import { SERVICE_TOKENS, ServiceTokenGuard } from './service-token.guard';

/**
 * The service credential, declared once per app: any controller guarded by
 * `@UseGuards(ServiceTokenGuard)` checks the tokens given here, whatever module it is in.
 */
@Global()
@Module({})
export class ServiceTokenModule {
  /** `token` is the app's MENTOR_API_TOKEN; unset, every service request is refused. */
  static forRoot(token: string | undefined): DynamicModule {
    return {
      module: ServiceTokenModule,
      providers: [ServiceTokenGuard, { provide: SERVICE_TOKENS, useValue: token ? [token] : [] }],
      exports: [ServiceTokenGuard, SERVICE_TOKENS],
    };
  }
}
