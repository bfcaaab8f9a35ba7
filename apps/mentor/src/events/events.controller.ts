import { DEVICE_ID_PATTERN } from '@app/contracts';
import { bearerToken, errorBody, Public } from '@app/platform';
import {
  BadRequestException,
  Controller,
  HttpCode,
  type MessageEvent,
  Post,
  Query,
  Req,
  Sse,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { interval, map, merge, takeUntil, type Observable } from 'rxjs';
import { AuthService, EVENTS_TICKET_TTL_SECONDS } from '../auth/auth.service';
import { CurrentUser, type SessionUser } from '../auth/session-user';
import { EventBus } from './event-bus.service';

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

  /**
   * The stream, for a signed-in user: `?ticket=` (browsers) or `Authorization: Bearer` (other
   * clients). Public to the global guard because it checks either credential itself.
   */
  @Public()
  @Sse()
  async stream(
    @Req() request: FastifyRequest,
    @Query('deviceid') deviceid?: string,
    @Query('ticket') ticket?: string,
  ): Promise<Observable<MessageEvent>> {
    if (deviceid !== undefined && !DEVICE_ID_PATTERN.test(deviceid)) {
      throw new BadRequestException(
        errorBody(400, 'deviceid is not a valid device id', [
          { field: 'deviceid', errors: ['invalid device id'] },
        ]),
      );
    }
    // Checked before the stream starts, so a refusal is a plain 401, not an event.
    const token = bearerToken(request.headers.authorization);
    const user = ticket
      ? await this.auth.authenticateEventsTicket(ticket)
      : token
        ? await this.auth.authenticate(token)
        : undefined;
    if (!user) {
      throw new UnauthorizedException(
        errorBody(401, 'Open the stream with a ticket from POST /events/ticket'),
      );
    }
    const events = this.bus
      .stream(deviceid)
      .pipe(map((event): MessageEvent => ({ type: event.type, data: event })));
    // A heartbeat keeps proxies from closing an idle stream.
    const heartbeat = interval(HEARTBEAT_MS).pipe(
      map((): MessageEvent => ({ type: 'heartbeat', data: {} })),
    );
    return merge(events, heartbeat).pipe(takeUntil(this.bus.closing));
  }
}
