import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ALERT_LEVELS, type AlertLevel } from '../constants';

export class AlertFields {
  @ApiProperty({ enum: ALERT_LEVELS })
  @IsIn(ALERT_LEVELS)
  level: AlertLevel;

  @ApiProperty({ maxLength: 64, example: 'high_cpu' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  alert_type: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  message?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  threshold?: number;
}
