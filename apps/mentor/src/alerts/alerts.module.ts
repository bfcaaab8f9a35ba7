import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FleetModule } from '../fleet/fleet.module';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { AlertCountEntity } from './alert-count.entity';
import { AlertEntity } from './alert.entity';

@Module({
  imports: [TypeOrmModule.forFeature([AlertEntity, AlertCountEntity]), FleetModule],
  controllers: [AlertsController],
  providers: [AlertsService],
})
export class AlertsModule {}
