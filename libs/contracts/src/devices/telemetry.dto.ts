import { IntersectionType } from '@nestjs/swagger';
import { ActivityFields } from './activity-fields';
import { AlertFields } from './alert-fields';
import { MetricFields } from './metric-fields';
import { ProcessFields } from './process-fields';
import { TelemetryRecordDto } from './telemetry-base.dto';

// What agents post to the Devices service: the record's fields plus optional id/timestamp.
export class MetricDto extends IntersectionType(TelemetryRecordDto, MetricFields) {}
export class ActivityDto extends IntersectionType(TelemetryRecordDto, ActivityFields) {}
export class ProcessDto extends IntersectionType(TelemetryRecordDto, ProcessFields) {}
export class AlertDto extends IntersectionType(TelemetryRecordDto, AlertFields) {}
