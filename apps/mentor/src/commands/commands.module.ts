import { DeliveryModule } from '@app/delivery';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FleetModule } from '../fleet/fleet.module';
import { CommandAllowlistController } from './command-allowlist.controller';
import { CommandStatusController } from './command-status.controller';
import { CommandsController } from './commands.controller';
import { CommandsService } from './commands.service';
import { CommandEntity } from './command.entity';
import { devicesChannel } from './devices-channel';

const handoff = DeliveryModule.forChannel(devicesChannel);

@Module({
  imports: [TypeOrmModule.forFeature([CommandEntity]), FleetModule, handoff],
  controllers: [CommandsController, CommandStatusController, CommandAllowlistController],
  providers: [CommandsService],
  // The hand-off channel reports on /health.
  exports: [handoff],
})
export class CommandsModule {}
