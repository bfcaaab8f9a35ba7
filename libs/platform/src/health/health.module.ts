import { DynamicModule, Global, InjectionToken, Module, Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HEALTH_OPTIONS, HealthOptions } from './health.options';
import { ShutdownState } from './shutdown-state.service';

@Global()
@Module({})
export class HealthModule {
  /**
   * `summaryFrom` lets an app add facts to `/health` from one of its own providers without the
   * platform knowing that provider's module.
   */
  static forRoot(
    options: Omit<HealthOptions, 'summary'>,
    summaryFrom?: {
      /** A provider (class or token) with `healthSummary(): Promise<Record<string, unknown>>`. */
      provider: InjectionToken;
      imports: DynamicModule['imports'];
    },
  ): DynamicModule {
    const optionsProvider: Provider = summaryFrom
      ? {
          provide: HEALTH_OPTIONS,
          inject: [summaryFrom.provider],
          useFactory: (source: {
            healthSummary(): Promise<Record<string, unknown>>;
          }): HealthOptions => ({
            ...options,
            summary: () => source.healthSummary(),
          }),
        }
      : { provide: HEALTH_OPTIONS, useValue: options };
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(summaryFrom?.imports ?? [])],
      controllers: [HealthController],
      providers: [optionsProvider, ShutdownState],
      exports: [ShutdownState],
    };
  }
}
