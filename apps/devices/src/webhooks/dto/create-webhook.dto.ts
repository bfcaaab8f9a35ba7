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
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from '../webhook-event-types';

export const EVENT_CHOICES = [...WEBHOOK_EVENT_TYPES, ALL_EVENTS];

/** `whsec_` and the key in base64 (its length is checked by the service). */
export const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** POST /api/v1/webhooks. The URL's scheme and host are checked by the service. */
export class CreateWebhookDto {
  @IsString()
  @MaxLength(2048)
  url: string;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(EVENT_CHOICES.length)
  @IsIn(EVENT_CHOICES, {
    each: true,
    message: `each event must be one of ${EVENT_CHOICES.join(', ')}`,
  })
  events: string[];

  /** Generated when not given; shown once. */
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
