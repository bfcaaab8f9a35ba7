import { ApiProperty } from '@nestjs/swagger';
import { IsBase64, IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { ForwardedRecordFields } from '../forwarded/forwarded-record.fields';

export const SCREENSHOT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** Hard ceiling of SCREENSHOT_MAX_BYTES; the configured limit applies below it. */
export const MAX_SCREENSHOT_BYTES = 64 * 1_048_576;

/**
 * Devices -> Mentor (`POST /devices/screenshots`): the record and the image itself, base64,
 * so the mentor needs no access to Devices' storage. The mentor re-checks type, size and hash.
 */
export class ForwardedScreenshotDto extends ForwardedRecordFields {
  @ApiProperty({ enum: SCREENSHOT_TYPES })
  @IsIn(SCREENSHOT_TYPES)
  content_type: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  width: number;

  @ApiProperty()
  @IsInt()
  @Min(1)
  height: number;

  @ApiProperty()
  @IsInt()
  @Min(1)
  @Max(MAX_SCREENSHOT_BYTES)
  size_bytes: number;

  @ApiProperty({ description: 'hex SHA-256 of the image' })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex digits' })
  sha256: string;

  @ApiProperty({ description: 'the image, base64' })
  @IsString()
  @IsBase64()
  image_base64: string;
}
