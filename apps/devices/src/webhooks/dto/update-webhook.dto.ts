import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { EVENT_CHOICES, SECRET_PATTERN } from './create-webhook.dto';

/** PATCH /api/v1/webhooks/{id}: a new `secret` rotates (the old one signs through the grace). */
export class UpdateWebhookDto {
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(EVENT_CHOICES.length)
  @IsIn(EVENT_CHOICES, {
    each: true,
    message: `each event must be one of ${EVENT_CHOICES.join(', ')}`,
  })
  events?: string[];

  @IsOptional()
  @IsString()
  @Matches(SECRET_PATTERN, { message: 'secret must be whsec_ followed by base64' })
  secret?: string;

  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}
