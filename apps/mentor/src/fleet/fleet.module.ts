import { Module } from '@nestjs/common';
import { FleetController } from './fleet.controller';
import { FleetService } from './fleet.service';
import { PresenceMonitor } from './presence-monitor.service';

@Module({
  controllers: [FleetController],
  providers: [FleetService, PresenceMonitor],
  exports: [FleetService],
})
export class FleetModule {}
