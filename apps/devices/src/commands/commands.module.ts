import { SERVICE_TOKENS, ServiceTokenGuard } from '@app/platform';
import { Module } from '@nestjs/common';
import { DeviceAuthModule } from '../auth/auth.module';
import { DevicesConfig } from '../config/devices.config';
import { ForwardingModule } from '../forwarding/forwarding.module';
import { CommandsController } from './commands.controller';
import { CommandsService } from './commands.service';
import { InternalCommandsController } from './internal-commands.controller';

@Module({
  imports: [ForwardingModule, DeviceAuthModule],
  controllers: [CommandsController, InternalCommandsController],
  providers: [
    CommandsService,
    ServiceTokenGuard,
    {
      provide: SERVICE_TOKENS,
      inject: [DevicesConfig],
      useFactory: (config: DevicesConfig): string[] =>
        config.MENTOR_API_TOKEN ? [config.MENTOR_API_TOKEN] : [],
    },
  ],
})
export class CommandsModule {}
