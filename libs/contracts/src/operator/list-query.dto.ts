import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageLimitDto } from './page-limit.dto';

/**
 * Paging of every list: newest first, at most `limit` items. `before` (a timestamp) with
 * `before_id` (the id of the last item seen) is a keyset cursor, so items sharing a timestamp
 * are neither skipped nor repeated; `since` bounds the other end.
 */
export class ListQueryDto extends PageLimitDto {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  before?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  before_id?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;
}
