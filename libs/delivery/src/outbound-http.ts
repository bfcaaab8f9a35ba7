import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError, isCancel } from 'axios';
import { randomUUID } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import type { SendOutcome } from './delivery.types';
import { MAX_BUNDLE_REQUEST_IDS } from './outbox-bundle';
import { outcomeOfAnswer, outcomeOfNoAnswer } from './send-outcome';

export const REQUEST_ID_HEADER = 'x-request-id';
export const ORIGIN_REQUEST_IDS_HEADER = 'x-origin-request-ids';

export interface OutboundRequest {
  /** Who answers, as reasons (and so logs and health) name it. */
  receiver: string;
  /** The request ids this call carries on (see requestIdHeaders). */
  requestIds?: string[];
  /** Further headers (the credential, say). */
  headers?: Record<string, string>;
}

export interface OutboundAnswer {
  outcome: SendOutcome;
  /** The answer's body as text ('' without an answer). */
  body: string;
  /** The answer's HTTP status; absent when there was no answer. */
  status?: number;
}

/**
 * The request id travels with the records: one origin id is sent on as `X-Request-Id`; a
 * request carrying records of several origins gets its own id and names theirs (at most
 * MAX_BUNDLE_REQUEST_IDS) in `X-Origin-Request-Ids`.
 */
export function requestIdHeaders(requestIds: string[], prefix = 'relay'): Record<string, string> {
  if (requestIds.length === 1) return { [REQUEST_ID_HEADER]: requestIds[0] };
  const headers = { [REQUEST_ID_HEADER]: `${prefix}-${randomUUID()}` };
  if (requestIds.length === 0) return headers;
  return {
    ...headers,
    [ORIGIN_REQUEST_IDS_HEADER]: requestIds.slice(0, MAX_BUNDLE_REQUEST_IDS).join(','),
  };
}

/**
 * Every outbound service-to-service call goes through here: one HttpService per importing
 * module (see OutboundHttpModule), whose axios instance holds its keep-alive agents and
 * timeout. Never throws: a failure is an outcome, classified in send-outcome.ts.
 */
@Injectable()
export class OutboundHttp {
  /** The whole call's deadline: the HttpModule's `timeout`. */
  readonly timeoutMs: number;

  constructor(private readonly http: HttpService) {
    this.timeoutMs = http.axiosRef.defaults.timeout ?? 0;
  }

  /** POSTs JSON text. */
  postJson(url: URL | string, json: string, request: OutboundRequest): Promise<OutboundAnswer> {
    return this.call('POST', url, json, request);
  }

  /** GETs a JSON answer (a read from a peer, such as its operator view). */
  getJson(url: URL | string, request: OutboundRequest): Promise<OutboundAnswer> {
    return this.call('GET', url, undefined, request);
  }

  private async call(
    method: 'GET' | 'POST',
    url: URL | string,
    json: string | undefined,
    request: OutboundRequest,
  ): Promise<OutboundAnswer> {
    const headers = {
      ...(json === undefined
        ? { accept: 'application/json' }
        : { 'content-type': 'application/json' }),
      ...requestIdHeaders(request.requestIds ?? []),
      ...request.headers,
    };
    try {
      const response = await firstValueFrom(
        this.http.request<string>({
          method,
          url: String(url),
          data: json,
          headers,
          // axios's own timeout is the socket's idle time; this one bounds the whole call.
          signal: this.timeoutMs > 0 ? AbortSignal.timeout(this.timeoutMs) : undefined,
        }),
      );
      const body = typeof response.data === 'string' ? response.data : '';
      const retryAfter = response.headers['retry-after'] as string | undefined;
      return {
        outcome: outcomeOfAnswer(request.receiver, response.status, body, retryAfter),
        body,
        status: response.status,
      };
    } catch (error) {
      return { outcome: outcomeOfNoAnswer(request.receiver, this.failureOf(error)), body: '' };
    }
  }

  private failureOf(error: unknown): { timedOutAfterMs?: number; message: string } {
    if (isCancel(error) || (isAxiosError(error) && error.code === 'ETIMEDOUT')) {
      return { timedOutAfterMs: this.timeoutMs, message: 'timeout' };
    }
    return { message: describe(error) };
  }
}

/**
 * What an operator needs to find the peer: Node's message names the address and the code
 * (connect ECONNREFUSED 10.0.0.7:8080). A connection tried on several addresses fails with all
 * of their errors and no message of its own; the first one is shown.
 */
function describe(error: unknown): string {
  const e = error as { message?: string; code?: string; cause?: { errors?: Error[] } };
  const nested = e.cause?.errors?.[0] ?? (error as { errors?: Error[] }).errors?.[0];
  const message = e.message || nested?.message || String(error);
  return e.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
}
