import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeviceAuthModule } from '../auth/auth.module';
import { ForwardingModule } from '../forwarding/forwarding.module';
import { WebhookEventsModule } from '../webhooks/webhook-events.module';
import { CommandsController } from './commands.controller';
import { CommandsService } from './commands.service';
import { InternalCommandsController } from './internal-commands.controller';
import { CommandEntity } from './command.entity';

@Module({
  imports: [
    TypeOrmModule.forFeature([CommandEntity]),
    ForwardingModule,
    WebhookEventsModule,
    DeviceAuthModule,
  ],
  controllers: [CommandsController, InternalCommandsController],
  providers: [CommandsService],
})
export class CommandsModule {}
