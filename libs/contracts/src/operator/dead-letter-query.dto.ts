import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PageLimitDto } from './page-limit.dto';
import { DATA_TYPES, type DataType } from '../constants';

export class DeadLetterQueryDto extends PageLimitDto {
  @ApiPropertyOptional({ description: 'cursor: return dead letters older than this id' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,19}$/, { message: 'before must be a dead-letter id as listed' })
  before?: string;

  @ApiPropertyOptional({ enum: DATA_TYPES })
  @IsOptional()
  @IsIn(DATA_TYPES)
  type?: DataType;
}
