import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { DEVICE_ID_PATTERN, DEVICE_ID_RULE } from '../constants';
import { ListQueryDto } from '../operator/list-query.dto';
import { IsDeviceTime } from '../validation/device-time.decorator';
import {
  COMMAND_STATES,
  REPORTED_COMMAND_STATES,
  type CommandState,
  type ReportedCommandState,
} from './command-state';

/** Longest command line a mentor may send. */
export const MAX_COMMAND_TEXT = 1024;
/** Largest command output a device may report, in bytes (64 KiB). */
export const MAX_COMMAND_RESULT_BYTES = 65_536;

/** `POST /devices/{id}/commands` at the mentor. */
export class CreateCommandDto {
  @ApiProperty({ example: 'get_info', description: 'first word from COMMAND_ALLOWLIST' })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_COMMAND_TEXT)
  command_text: string;
}

/** `POST /api/v1/devices/{id}/commands/{commandid}/result` at Devices. */
export class CommandResultDto {
  @ApiProperty({ enum: REPORTED_COMMAND_STATES })
  @IsIn(REPORTED_COMMAND_STATES)
  status: ReportedCommandState;

  @ApiPropertyOptional({ description: 'output, at most 64 KiB' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_COMMAND_RESULT_BYTES)
  result?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(-2_147_483_648)
  @Max(2_147_483_647)
  exit_code?: number;
}

/** Mentor -> Devices hand-off (`POST /api/v1/internal/commands`), idempotent by commandid. */
export class InternalCommandDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  commandid: string;

  @ApiProperty()
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: DEVICE_ID_RULE })
  deviceid: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_COMMAND_TEXT)
  command_text: string;

  @ApiProperty()
  @IsString()
  @MaxLength(128)
  issued_by: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  expires_at: string;
}

/** Devices -> Mentor (`POST /commands/status`): one state change, applied by state order. */
export class ForwardedCommandStatusDto {
  @ApiProperty({ format: 'uuid', description: 'the commandid' })
  @IsUUID('all')
  id: string;

  @ApiProperty()
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: DEVICE_ID_RULE })
  deviceid: string;

  @ApiProperty({ format: 'date-time', description: 'when the state was reached' })
  @IsDeviceTime()
  timestamp: string;

  @ApiProperty({ enum: COMMAND_STATES })
  @IsIn(COMMAND_STATES)
  status: CommandState;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(MAX_COMMAND_RESULT_BYTES)
  result?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  exit_code?: number;
}

export class CommandListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: COMMAND_STATES })
  @IsOptional()
  @IsIn(COMMAND_STATES)
  status?: CommandState;
}
