import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { DEVICE_ID_PATTERN, DEVICE_ID_RULE } from '../constants';

/** Path device ids follow the registration rule, so a malformed one is a 400, not a 404. */
@Injectable()
export class DeviceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!DEVICE_ID_PATTERN.test(value)) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: DEVICE_ID_RULE,
        details: [{ field: 'deviceid', errors: ['invalid device id'] }],
      });
    }
    return value;
  }
}
