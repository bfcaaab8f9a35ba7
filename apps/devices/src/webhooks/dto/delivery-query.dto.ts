import { PageLimitDto } from '@app/contracts';
import { IsOptional, IsString, Matches } from 'class-validator';

/** GET /api/v1/webhooks/{id}/deliveries: newest first, `before` = the last id of a page. */
export class DeliveryQueryDto extends PageLimitDto {
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,18}$/, { message: 'before must be a delivery id as listed' })
  before?: string;
}
