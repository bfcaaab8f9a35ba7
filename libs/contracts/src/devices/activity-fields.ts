import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class ActivityFields {
  @ApiProperty({ maxLength: 64, example: 'app_focus' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  activity_type: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  app?: string;

  @ApiPropertyOptional({ description: 'seconds', minimum: 0 })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(31_536_000)
  duration?: number;
}
