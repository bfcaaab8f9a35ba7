import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { MAX_COUNTER } from '../constants';

/** One sample of a device's vital signs. Byte counts are integers; percentages 0-100. */
export class MetricFields {
  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  cpu_usage?: number;

  @ApiPropertyOptional({ description: 'degrees Celsius', minimum: -100, maximum: 200 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-100)
  @Max(200)
  cpu_temp?: number;

  @ApiPropertyOptional({ description: 'bytes' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COUNTER)
  memory_total?: number;

  @ApiPropertyOptional({ description: 'bytes' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COUNTER)
  memory_used?: number;

  @ApiPropertyOptional({ description: 'bytes' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COUNTER)
  swap_used?: number;

  @ApiPropertyOptional({ description: 'bytes' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COUNTER)
  disk_total?: number;

  @ApiPropertyOptional({ description: 'bytes' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COUNTER)
  disk_used?: number;

  @ApiPropertyOptional({ description: 'bytes received since the previous sample or boot' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COUNTER)
  net_bytes_in?: number;

  @ApiPropertyOptional({ description: 'bytes sent since the previous sample or boot' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_COUNTER)
  net_bytes_out?: number;
}
