import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Matches } from 'class-validator';
import { DEVICE_ID_PATTERN, DEVICE_ID_RULE } from '../constants';
import { IsDeviceTime } from '../validation/device-time.decorator';

/** On the devices -> mentor wire every record carries its devices-side id and its device. */
export class ForwardedRecordFields {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  id: string;

  @ApiProperty()
  @IsString()
  @Matches(DEVICE_ID_PATTERN, { message: DEVICE_ID_RULE })
  deviceid: string;

  @ApiProperty({ format: 'date-time' })
  @IsDeviceTime()
  timestamp: string;
}
