import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  Matches,
} from 'class-validator';
import { DATA_TYPES, type DataType } from '../constants';

/** Replay dead letters by outbox id, by data type, or all of them (exactly one selector). */
export class ReplayRequestDto {
  @ApiPropertyOptional({ type: [String], description: 'dead-letter ids as listed' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  @Matches(/^\d{1,19}$/, { each: true, message: 'each id must be a dead-letter id as listed' })
  ids?: string[];

  @ApiPropertyOptional({ enum: DATA_TYPES })
  @IsOptional()
  @IsIn(DATA_TYPES)
  type?: DataType;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  all?: boolean;
}
