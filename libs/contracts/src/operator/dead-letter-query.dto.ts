import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { DATA_TYPES, type DataType } from '../constants';

export class DeadLetterQueryDto {
  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;

  @ApiPropertyOptional({ description: 'cursor: return dead letters older than this id' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,19}$/)
  before?: string;

  @ApiPropertyOptional({ enum: DATA_TYPES })
  @IsOptional()
  @IsIn(DATA_TYPES)
  type?: DataType;
}
