import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsISO8601,
  IsString,
  Matches,
  ValidateNested,
} from 'class-validator';
import { DEVICE_ID_PATTERN, DEVICE_ID_RULE } from '../constants';
import { ActivityFields } from '../devices/activity-fields';
import { AlertFields } from '../devices/alert-fields';
import { MetricFields } from '../devices/metric-fields';
import { MAX_PROCESSES_PER_SNAPSHOT, ProcessFields } from '../devices/process-fields';
import { DeviceInfoFields } from '../devices/register-device.dto';
import { ForwardedRecordFields } from './forwarded-record.fields';

// What the Devices service forwards and the mentor validates: the same field classes as the
// device API, plus the identity every forwarded record must carry.
export class ForwardedMetricDto extends IntersectionType(ForwardedRecordFields, MetricFields) {}
export class ForwardedActivityDto extends IntersectionType(ForwardedRecordFields, ActivityFields) {}
export class ForwardedAlertDto extends IntersectionType(ForwardedRecordFields, AlertFields) {}

/** A whole process list; the newer snapshot (by timestamp) replaces the older one. */
export class ForwardedProcessSnapshotDto extends ForwardedRecordFields {
  @ApiProperty({ type: [ProcessFields] })
  @IsArray()
  @ArrayMaxSize(MAX_PROCESSES_PER_SNAPSHOT)
  @ValidateNested({ each: true })
  @Type(() => ProcessFields)
  processes: ProcessFields[];
}

/** Device facts; applied at the mentor only when newer (`updated_at`) than what it holds. */
export class ForwardedDeviceDto extends DeviceInfoFields {
  @ApiProperty()
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: DEVICE_ID_RULE })
  deviceid: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  registered_at: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  updated_at: string;
}
