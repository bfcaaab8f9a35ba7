import { errorBody } from '@app/platform';
import { NotFoundException } from '@nestjs/common';

/** The 404 of every per-device endpoint for a device the Mentor has never heard of. */
export function deviceNotFound(deviceid: string): NotFoundException {
  return new NotFoundException(errorBody(404, `Device ${deviceid} not found`));
}
