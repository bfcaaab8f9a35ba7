import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The answer to an accepted write: committed with its outbox entries before it is sent. */
export class IngestResultDto {
  @ApiProperty({ example: 'ok' })
  status: 'ok';

  @ApiProperty({ description: 'records in the request' })
  count: number;

  @ApiProperty({ description: 'records newly stored' })
  stored: number;

  @ApiProperty({ description: 'records whose id was already stored (a retry)' })
  duplicates: number;

  @ApiProperty({ description: 'the id of each record, in request order', type: [String] })
  ids: string[];

  @ApiPropertyOptional({
    description:
      'fields the records carried that this service does not know, dropped (a newer agent, or a misspelt name); absent when none',
    type: [String],
  })
  ignored_fields?: string[];
}
