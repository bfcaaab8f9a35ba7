import { DynamicModule, Module } from '@nestjs/common';
import {
  PARTITION_MAINTENANCE,
  type PartitionMaintenanceOptions,
} from './partition-maintenance.options';
import { PartitionMaintenanceService } from './partition-maintenance.service';

/** The partition maintenance job of one service, for the tables that service partitions. */
@Module({})
export class PartitionMaintenanceModule {
  static forRoot(options: PartitionMaintenanceOptions): DynamicModule {
    return {
      module: PartitionMaintenanceModule,
      providers: [
        { provide: PARTITION_MAINTENANCE, useValue: options },
        PartitionMaintenanceService,
      ],
      exports: [PartitionMaintenanceService],
    };
  }
}
