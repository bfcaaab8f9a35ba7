import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

@Module({
  imports: [FleetModule],
  controllers: [AlertsController],
  providers: [AlertsService],
})
export class AlertsModule {}
