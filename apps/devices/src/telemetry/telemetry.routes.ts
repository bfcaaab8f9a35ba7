import {
  ActivityDto,
  AlertDto,
  DEVICE_ID_PATTERN,
  DeviceIdPipe,
  IngestResultDto,
  MAX_BATCH_ITEMS,
  MAX_PROCESSES_PER_SNAPSHOT,
  MetricDto,
  ProcessDto,
  type TelemetryKind,
} from '@app/contracts';
import { BatchBodyPipe, RouteRateLimiter, sendErrorReply } from '@app/platform';
import { Injectable, Logger } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DeviceAccess } from '../auth/device-access.service';
import { DEVICE_TOKEN_SCHEME } from '../auth/route-security';
import { TelemetryIngestService } from './telemetry-ingest.service';

interface TelemetryRoute {
  kind: TelemetryKind | 'processes';
  dto: new () => object;
  allowSingle: boolean;
  maxItems: number;
  summary: string;
}

const ROUTES: TelemetryRoute[] = [
  {
    kind: 'metrics',
    dto: MetricDto,
    allowSingle: true,
    maxItems: MAX_BATCH_ITEMS,
    summary: 'one metric sample or an array of them',
  },
  {
    kind: 'activities',
    dto: ActivityDto,
    allowSingle: true,
    maxItems: MAX_BATCH_ITEMS,
    summary: 'one activity or an array of them',
  },
  {
    kind: 'alerts',
    dto: AlertDto,
    allowSingle: true,
    maxItems: MAX_BATCH_ITEMS,
    summary: 'one alert or an array of them',
  },
  {
    kind: 'processes',
    dto: ProcessDto,
    allowSingle: false,
    maxItems: MAX_PROCESSES_PER_SNAPSHOT,
    summary: 'one snapshot of the running processes; it replaces the previous snapshot',
  },
];

/** Schemas the OpenAPI entries of these routes refer to. */
export const TELEMETRY_API_MODELS = [MetricDto, ActivityDto, AlertDto, ProcessDto, IngestResultDto];

/**
 * The telemetry writes (`POST /api/v1/devices/:id/{metrics,activities,alerts,processes}`),
 * registered on Fastify directly rather than as a Nest controller. They are the hot path of the
 * service (thousands of requests per second from agents), and Nest's per-request pipeline
 * (execution context, guards, pipes and interceptors resolved through reflection and promise
 * chains) cost more CPU than the work itself. The behaviour is the controller's, step for step
 * and with the same code: the per-IP limit (RouteRateLimiter, as AppThrottlerGuard), device
 * token, ownership and per-device limit (DeviceAccess, as DeviceTokenGuard), the device id rule
 * (DeviceIdPipe), the DTOs (BatchBodyPipe), the same ingest service and error replies. The
 * platform's Fastify hooks (request id, logging, security headers, metrics) and its JSON body
 * parser apply to these routes like to any other.
 */
@Injectable()
export class TelemetryRoutes {
  private readonly logger = new Logger(TelemetryRoutes.name);
  private readonly deviceId = new DeviceIdPipe();

  constructor(
    private readonly ingest: TelemetryIngestService,
    private readonly access: DeviceAccess,
    private readonly rateLimiter: RouteRateLimiter,
  ) {}

  register(fastify: FastifyInstance): void {
    for (const route of ROUTES) {
      const pipe = new BatchBodyPipe(route.dto, route);
      const limitKey = `telemetry:${route.kind}`;
      const store = this.storeFor(route.kind);
      fastify.route({
        method: 'POST',
        url: `/api/v1/devices/:id/${route.kind}`,
        errorHandler: (error, _request, reply) => sendErrorReply(reply, error, this.logger),
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          // In the order of the controller: global guard, route guard, then the pipes.
          await this.rateLimiter.check(request, reply, limitKey);
          const { id } = request.params as { id: string };
          await this.access.authorize(id, request.headers.authorization);
          const deviceid = this.deviceId.transform(id);
          const ignored = new Set<string>();
          const records = pipe.records(request.body, ignored);
          const result = await store(deviceid, records, request.id);
          if (ignored.size > 0) result.ignored_fields = [...ignored];
          return reply.code(201).send(result);
        },
      });
    }
  }

  private storeFor(
    kind: TelemetryRoute['kind'],
  ): (deviceid: string, records: object[], requestId: string) => Promise<IngestResultDto> {
    if (kind === 'processes') {
      return (deviceid, records, requestId) =>
        this.ingest.ingestProcesses(deviceid, records as ProcessDto[], requestId);
    }
    return (deviceid, records, requestId) => this.ingest.ingest(kind, deviceid, records, requestId);
  }
}

/** The OpenAPI entries of the routes above, for /docs (Swagger only scans controllers). */
export function documentTelemetryRoutes(document: OpenAPIObject): OpenAPIObject {
  for (const route of ROUTES) {
    const record = { $ref: `#/components/schemas/${route.dto.name}` };
    const batch = { type: 'array' as const, items: record, minItems: 1, maxItems: route.maxItems };
    document.paths[`/api/v1/devices/{id}/${route.kind}`] = {
      post: {
        tags: ['telemetry'],
        summary: route.summary,
        operationId: `TelemetryRoutes_${route.kind}`,
        security: [{ [DEVICE_TOKEN_SCHEME]: [] }],
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: DEVICE_ID_PATTERN.source },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: route.allowSingle ? { oneOf: [record, batch] } : batch },
          },
        },
        responses: {
          '201': {
            description: 'stored with its outbox entries (committed before this answer)',
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/IngestResultDto' } },
            },
          },
        },
      },
    };
  }
  return document;
}
