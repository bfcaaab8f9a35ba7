import { SERVICE_TOKENS, ServiceTokenGuard } from '@app/platform';
import { Module } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';
import { FleetModule } from '../fleet/fleet.module';
import { CommandHandoff } from './command-handoff.service';
import { CommandStatusController } from './command-status.controller';
import { CommandsController } from './commands.controller';
import { CommandsService } from './commands.service';

@Module({
  imports: [FleetModule],
  controllers: [CommandsController, CommandStatusController],
  providers: [
    CommandsService,
    CommandHandoff,
    ServiceTokenGuard,
    {
      provide: SERVICE_TOKENS,
      inject: [MentorConfig],
      useFactory: (config: MentorConfig): string[] =>
        config.MENTOR_API_TOKEN ? [config.MENTOR_API_TOKEN] : [],
    },
  ],
  exports: [CommandHandoff],
})
export class CommandsModule {}
