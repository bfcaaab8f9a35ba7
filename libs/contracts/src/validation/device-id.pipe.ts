import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { DEVICE_ID_PATTERN } from '../constants';

/** Path device ids follow the registration rule, so a malformed one is a 400, not a 404. */
@Injectable()
export class DeviceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!DEVICE_ID_PATTERN.test(value)) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'deviceid must be 1-64 characters of A-Z a-z 0-9 . _ : -',
        details: [{ field: 'deviceid', errors: ['invalid device id'] }],
      });
    }
    return value;
  }
}
