import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MAX_COUNTER } from '../constants';

/** Processes in one snapshot, at most. */
export const MAX_PROCESSES_PER_SNAPSHOT = 5000;

export class ProcessFields {
  @ApiProperty({ minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(4_294_967_295)
  pid: number;

  @ApiProperty({ maxLength: 255 })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  process_name: string;

  @ApiPropertyOptional({ description: 'percent of one core; may exceed 100 on several cores' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100_000)
  cpu?: number;

  @ApiPropertyOptional({ description: 'resident memory in bytes' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_COUNTER)
  memory?: number;

  @ApiPropertyOptional({ maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  command_text?: string;
}
