import { DEVICE_ID_PATTERN } from '@app/contracts';
import { errorBody } from '@app/platform';
import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/** Path device ids follow the same rule as registered ones, so a typo is a 400, not a 404. */
@Injectable()
export class DeviceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!DEVICE_ID_PATTERN.test(value)) {
      throw new BadRequestException(
        errorBody(400, 'deviceid must be 1-64 characters of A-Z a-z 0-9 . _ : -', [
          { field: 'deviceid', errors: ['invalid device id'] },
        ]),
      );
    }
    return value;
  }
}
