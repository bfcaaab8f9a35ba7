import { OutboundHttp, type OutboundAnswer } from '@app/delivery';
import { errorBody } from '@app/platform';
import {
  BadGatewayException,
  BadRequestException,
  Injectable,
  ServiceUnavailableException,
} from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';

export const INTERNAL_FORWARDING_PATH = '/api/v1/internal/forwarding';

/**
 * Reads Devices' forwarding state and asks for replays over its internal route, signed with
 * the service token, so no browser needs an operator key. Devices being away is a 503 and a
 * wrong answer from it a 502, each naming the cause; its own refusal of a request is passed on.
 */
@Injectable()
export class DevicesForwardingClient {
  constructor(
    private readonly config: MentorConfig,
    private readonly http: OutboundHttp,
  ) {}

  async get(path: string, query: URLSearchParams, requestId: string): Promise<unknown> {
    const url = this.url(path);
    url.search = query.toString();
    return this.json(await this.http.getJson(url, this.request(requestId)));
  }

  async post(path: string, body: unknown, requestId: string): Promise<unknown> {
    const url = this.url(path);
    return this.json(await this.http.postJson(url, JSON.stringify(body), this.request(requestId)));
  }

  private url(path: string): URL {
    if (!this.config.DEVICES_API_URL || !this.config.MENTOR_API_TOKEN) {
      throw new ServiceUnavailableException(
        errorBody(
          503,
          'The forwarding view needs the Devices service: DEVICES_API_URL and MENTOR_API_TOKEN are not both set',
        ),
      );
    }
    return new URL(`${INTERNAL_FORWARDING_PATH}/${path}`, this.config.DEVICES_API_URL);
  }

  private request(requestId: string) {
    return {
      receiver: 'Devices',
      requestIds: [requestId],
      headers: { authorization: `Bearer ${this.config.MENTOR_API_TOKEN}` },
    };
  }

  private json({ outcome, body, status }: OutboundAnswer): unknown {
    if (status === undefined && outcome.kind !== 'delivered') {
      throw new ServiceUnavailableException(
        errorBody(503, `The Devices service is unavailable: ${outcome.reason}`),
      );
    }
    if (status === 400) {
      const refusal = parse(body) as { message?: unknown; details?: never } | undefined;
      const message = typeof refusal?.message === 'string' ? refusal.message : 'Bad Request';
      throw new BadRequestException(errorBody(400, message, refusal?.details));
    }
    if (outcome.kind !== 'delivered') {
      throw new BadGatewayException(
        errorBody(502, `The Devices service failed: ${outcome.reason}`),
      );
    }
    const value = parse(body);
    if (value === undefined) {
      throw new BadGatewayException(errorBody(502, 'The Devices service answered invalid JSON'));
    }
    return value;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
