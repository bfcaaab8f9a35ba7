import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FleetModule } from '../fleet/fleet.module';
import { CommandHandoff } from './command-handoff.service';
import { CommandStatusController } from './command-status.controller';
import { CommandsController } from './commands.controller';
import { CommandsService } from './commands.service';
import { CommandEntity } from './command.entity';

@Module({
  imports: [TypeOrmModule.forFeature([CommandEntity]), FleetModule],
  controllers: [CommandsController, CommandStatusController],
  providers: [CommandsService, CommandHandoff],
  exports: [CommandHandoff],
})
export class CommandsModule {}
