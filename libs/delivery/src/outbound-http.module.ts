import { HttpModule } from '@nestjs/axios';
import { DynamicModule, FactoryProvider, Module, ModuleMetadata } from '@nestjs/common';
import { OutboundHttp } from './outbound-http';
import { outboundHttpOptions } from './outbound-http.options';

export interface OutboundHttpModuleOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  /** The request timeout (ms) from the app's config, given what `inject` names. */
  timeoutMs: (...deps: never[]) => number;
}

/**
 * An OutboundHttp for the importing module, on its own HttpService (keep-alive agents,
 * the timeout given). Each registration is its own client, so two peers with different
 * timeouts never share settings.
 */
@Module({})
export class OutboundHttpModule {
  static registerAsync(options: OutboundHttpModuleOptions): DynamicModule {
    return {
      module: OutboundHttpModule,
      imports: [
        HttpModule.registerAsync({
          imports: options.imports,
          inject: options.inject,
          useFactory: (...deps: unknown[]) =>
            outboundHttpOptions(options.timeoutMs(...(deps as never[]))),
        }),
      ],
      providers: [OutboundHttp],
      exports: [OutboundHttp],
    };
  }
}
