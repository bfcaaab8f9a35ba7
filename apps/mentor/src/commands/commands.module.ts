import { DeliveryModule } from '@app/delivery';
import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module';
import { CommandStatusController } from './command-status.controller';
import { CommandsController } from './commands.controller';
import { CommandsService } from './commands.service';
import { devicesChannel } from './devices-channel';

const handoff = DeliveryModule.forChannel(devicesChannel);

@Module({
  imports: [FleetModule, handoff],
  controllers: [CommandsController, CommandStatusController],
  providers: [CommandsService],
  // The hand-off channel reports on /health.
  exports: [handoff],
})
export class CommandsModule {}
