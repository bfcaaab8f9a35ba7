import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { IsDeviceTime } from '../validation/device-time.decorator';

/**
 * What every telemetry record may carry: an agent-chosen `id` that makes a retry harmless,
 * and the device's own `timestamp`. Without them the service assigns an id and uses the
 * receive time.
 */
export class TelemetryRecordDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  id?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsDeviceTime()
  timestamp?: string;
}
