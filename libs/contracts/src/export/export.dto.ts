import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { DataType } from '../constants';

/** Records one export page holds at most. */
export const MAX_EXPORT_PAGE = 5000;

/**
 * The Devices export feed (the pull path): `since` is the opaque cursor of the previous page,
 * absent for the first. Shaped after the reference's `POST .../export {since, limit}`.
 */
export class ExportRequestDto {
  @ApiPropertyOptional({ description: 'cursor returned by the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'since must be a cursor returned by this feed' })
  since?: string;

  @ApiPropertyOptional({ default: 500, minimum: 1, maximum: MAX_EXPORT_PAGE })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_EXPORT_PAGE)
  limit: number = 500;
}

/** One record of the feed: its type and the same shape the push path forwards. */
export interface ExportedRecord {
  type: DataType;
  record: Record<string, unknown>;
}

export interface ExportPage {
  records: ExportedRecord[];
  /** More records are ready now; ask again with `cursor`. */
  hasMore: boolean;
  /** The Devices clock when the page was read. */
  lastSyncTime: string;
  /** Pass as `since` next time; unchanged when the page is empty. */
  cursor: string | null;
}
