import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DEVICE_ID_PATTERN, DEVICE_ID_RULE } from '../constants';

/** Device facts an agent reports when it enrols (and again whenever they change). */
export class DeviceInfoFields {
  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  device_name?: string;

  @ApiPropertyOptional({ maxLength: 64, example: 'laptop' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  device_type?: string;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  os?: string;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  device_location?: string;

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  ip_address?: string;

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  mac_address?: string;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  current_user?: string;
}

export class RegisterDeviceDto extends DeviceInfoFields {
  @ApiProperty({ example: 'test-device-123', pattern: DEVICE_ID_PATTERN.source })
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: DEVICE_ID_RULE })
  deviceid: string;
}
