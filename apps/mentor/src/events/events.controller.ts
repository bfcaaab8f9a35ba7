import { EventsQueryDto } from '@app/contracts';
import { Public } from '@app/platform';
import {
  Controller,
  HttpCode,
  type MessageEvent,
  Post,
  Query,
  Sse,
  UseGuards,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { interval, map, merge, takeUntil, type Observable } from 'rxjs';
import { AuthService, EVENTS_TICKET_TTL_SECONDS } from '../auth/auth.service';
import { CurrentUser, type SessionUser } from '../auth/session-user';
import { EventBus } from './event-bus.service';
import { EventsAuthGuard } from './events-auth.guard';

const HEARTBEAT_MS = 15_000;

/** Server-sent events: new telemetry, alerts and command states as they are stored. */
@ApiTags('events')
@Controller('events')
export class EventsController {
  constructor(
    private readonly bus: EventBus,
    private readonly auth: AuthService,
  ) {}

  /** A ticket valid for 60 s to open the stream from a browser (`GET /events?ticket=`). */
  @Post('ticket')
  @HttpCode(201)
  async ticket(@CurrentUser() user: SessionUser): Promise<{ ticket: string; expires_in: number }> {
    return {
      ticket: await this.auth.issueEventsTicket(user),
      expires_in: EVENTS_TICKET_TTL_SECONDS,
    };
  }

  /** The stream, for a signed-in user (see EventsAuthGuard); `?deviceid=` narrows it. */
  @Public()
  @UseGuards(EventsAuthGuard)
  @Sse()
  stream(@Query() query: EventsQueryDto): Observable<MessageEvent> {
    const events = this.bus
      .stream(query.deviceid)
      .pipe(map((event): MessageEvent => ({ type: event.type, data: event })));
    // A heartbeat keeps proxies from closing an idle stream.
    const heartbeat = interval(HEARTBEAT_MS).pipe(
      map((): MessageEvent => ({ type: 'heartbeat', data: {} })),
    );
    return merge(events, heartbeat).pipe(takeUntil(this.bus.closing));
  }
}
