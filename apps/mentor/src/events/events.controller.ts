import { DEVICE_ID_PATTERN } from '@app/contracts';
import { errorBody } from '@app/platform';
import { BadRequestException, Controller, type MessageEvent, Query, Sse } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { interval, map, merge, takeUntil, type Observable } from 'rxjs';
import { EventBus } from './event-bus.service';

const HEARTBEAT_MS = 15_000;

/** Server-sent events: new telemetry, alerts and command states as they are stored. */
@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(private readonly bus: EventBus) {}

  @Sse()
  stream(@Query('deviceid') deviceid?: string): Observable<MessageEvent> {
    if (deviceid !== undefined && !DEVICE_ID_PATTERN.test(deviceid)) {
      throw new BadRequestException(
        errorBody(400, 'deviceid is not a valid device id', [
          { field: 'deviceid', errors: ['invalid device id'] },
        ]),
      );
    }
    const events = this.bus
      .stream(deviceid)
      .pipe(map((event): MessageEvent => ({ type: event.type, data: event })));
    // A comment-like heartbeat keeps proxies from closing an idle stream.
    const heartbeat = interval(HEARTBEAT_MS).pipe(
      map((): MessageEvent => ({ type: 'heartbeat', data: {} })),
    );
    return merge(events, heartbeat).pipe(takeUntil(this.bus.closing));
  }
}
