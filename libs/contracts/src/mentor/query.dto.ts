import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ALERT_LEVELS, type AlertLevel, DEVICE_ID_PATTERN } from '../constants';
import { ListQueryDto } from '../operator/list-query.dto';
import { PageLimitDto } from '../operator/page-limit.dto';

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Points a downsampled series may ask for at most. */
export const MAX_POINTS = 2000;

/**
 * The stretches of time a device list's sparklines may cover, and their length in ms. Each
 * device reads a rollup row per minute of it, so a day over a page of 1,000 devices is left to
 * the device page's charts.
 */
export const SPARKLINE_WINDOW_MS = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000 };
export type SparklineWindow = keyof typeof SPARKLINE_WINDOW_MS;
const SPARKLINE_WINDOWS = Object.keys(SPARKLINE_WINDOW_MS) as SparklineWindow[];
export const MAX_SPARKLINE_POINTS = 120;

export class DeviceListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'case-insensitive match on name or id' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  search?: string;

  @ApiPropertyOptional({ enum: ['online', 'offline'] })
  @IsOptional()
  @IsIn(['online', 'offline'])
  status?: 'online' | 'offline';

  @ApiPropertyOptional({
    enum: SPARKLINE_WINDOWS,
    description: 'add each device’s CPU and memory over this last stretch of time',
  })
  @IsOptional()
  @IsIn(SPARKLINE_WINDOWS)
  sparkline?: SparklineWindow;

  @ApiPropertyOptional({ minimum: 2, maximum: MAX_SPARKLINE_POINTS, default: 24 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(MAX_SPARKLINE_POINTS)
  sparkline_points: number = 24;
}

/** A time range `[from, to)` on top of the list cursor. */
export class TimeRangeQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class MetricsQueryDto extends TimeRangeQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_POINTS,
    description: 'downsample [from, to) (default: the last 24 h) into at most this many buckets',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_POINTS)
  points?: number;
}

export class AlertsQueryDto extends TimeRangeQueryDto {
  @ApiPropertyOptional({ enum: ALERT_LEVELS })
  @IsOptional()
  @IsIn(ALERT_LEVELS)
  level?: AlertLevel;

  @ApiPropertyOptional({ enum: ALERT_STATES })
  @IsOptional()
  @IsIn(ALERT_STATES)
  state?: AlertState;
}

export class ProcessesQueryDto extends PageLimitDto {
  @ApiPropertyOptional({ enum: ['cpu', 'memory'], default: 'cpu' })
  @IsOptional()
  @IsIn(['cpu', 'memory'])
  sort: 'cpu' | 'memory' = 'cpu';
}

/** `GET /events`; its `ticket` is a credential, read by the stream's guard (see /docs). */
export class EventsQueryDto {
  @ApiPropertyOptional({ description: 'only the events of this device' })
  @IsOptional()
  @Matches(DEVICE_ID_PATTERN, { message: 'deviceid is not a valid device id' })
  deviceid?: string;
}
