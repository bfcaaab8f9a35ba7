import { applyDecorators } from '@nestjs/common';
import { IsISO8601, registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * A device timestamp: ISO 8601 with a date and time, between 2000 and 2100 so a broken clock
 * cannot write rows into partitions nobody will ever prune.
 */
export function IsDeviceTime(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    IsISO8601({ strict: true, strictSeparator: true }, options),
    (target: object, propertyName: string | symbol) => {
      registerDecorator({
        name: 'isPlausibleTime',
        target: target.constructor,
        propertyName: String(propertyName),
        options: { message: `${String(propertyName)} must be between 2000 and 2100`, ...options },
        validator: {
          validate(value: unknown): boolean {
            if (typeof value !== 'string') return false;
            const time = Date.parse(value);
            return time >= Date.UTC(2000, 0, 1) && time < Date.UTC(2100, 0, 1);
          },
        },
      });
    },
  );
}
