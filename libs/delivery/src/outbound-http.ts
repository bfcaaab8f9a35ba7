import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError, isCancel, type AxiosResponse } from 'axios';
import { randomUUID } from 'node:crypto';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
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
  /**
   * Connection agents for this request instead of the client's (a receiver whose address must
   * be checked as it is resolved, say).
   */
  agents?: { http: HttpAgent; https: HttpsAgent };
  /**
   * Read at most this many bytes of the answer and drop the rest (a receiver that is not ours
   * may answer with anything); the whole answer when unset.
   */
  maxResponseBytes?: number;
}

export interface OutboundAnswer {
  outcome: SendOutcome;
  /** The answer's body as text ('' without an answer; cut at maxResponseBytes). */
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
    const capped = request.maxResponseBytes !== undefined;
    try {
      const response = await firstValueFrom(
        this.http.request<string | Readable>({
          method,
          url: String(url),
          data: json,
          headers,
          // axios's own timeout is the socket's idle time; this one bounds the whole call.
          signal: this.timeoutMs > 0 ? AbortSignal.timeout(this.timeoutMs) : undefined,
          ...(request.agents
            ? { httpAgent: request.agents.http, httpsAgent: request.agents.https }
            : {}),
          ...(capped ? { responseType: 'stream' as const } : {}),
        }),
      );
      const body = capped
        ? await readCapped(response.data as Readable, request.maxResponseBytes!)
        : textOf(response);
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

function textOf(response: AxiosResponse<string | Readable>): string {
  return typeof response.data === 'string' ? response.data : '';
}

/** The first `limit` bytes of a streamed answer as text; the connection is dropped after. */
async function readCapped(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      chunks.push(buffer.subarray(0, limit - size));
      size += Math.min(buffer.length, limit - size);
      if (size >= limit) break;
    }
  } finally {
    // A body read to its end leaves the connection to keep-alive; a cut one is dropped.
    if (!stream.readableEnded) stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
