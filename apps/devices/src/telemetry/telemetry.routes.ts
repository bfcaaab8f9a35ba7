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
import { BatchSchema, DtoSchema, RouteRateLimiter, sendErrorReply } from '@app/platform';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ExternalContextCreator, HttpAdapterHost } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
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

/** Schemas the OpenAPI entries of these routes refer to (see `documentTelemetryRoutes`). */
export const TELEMETRY_API_MODELS = [MetricDto, ActivityDto, AlertDto, ProcessDto, IngestResultDto];

const schemas = new Map<TelemetryRoute, BatchSchema<object>>();

/** Each route's body schema, generated once from its DTO's class-validator rules. */
function schemaOf(route: TelemetryRoute): BatchSchema<object> {
  let schema = schemas.get(route);
  if (!schema) {
    const dto = DtoSchema.of(route.dto);
    if (!dto) throw new Error(`${route.dto.name} cannot be expressed as a JSON Schema`);
    schema = new BatchSchema(dto, route);
    schemas.set(route, schema);
  }
  return schema;
}

type Ingest = (request: FastifyRequest, reply: FastifyReply) => Promise<IngestResultDto>;

/**
 * The telemetry writes (`POST /api/v1/devices/:id/{metrics,activities,alerts,processes}`),
 * registered on Fastify when this module starts rather than as a Nest controller. They are the
 * hot path of the service (thousands of requests per second from agents), and Nest's router
 * (param decorators, pipes through reflection, promise chains) cost more CPU than the work
 * itself. The body is checked by Fastify's ajv against a route schema generated from the DTO's
 * class-validator rules (DtoSchema, BatchSchema), the same schema /docs shows. The app's global
 * guards and interceptors apply as to a controller, through Nest's ExternalContextCreator
 * (the per-IP limit of AppThrottlerGuard is skipped, RouteRateLimiter keeps a budget per route
 * instead, as before); then the device token, ownership and per-device limit (DeviceAccess, as
 * DeviceTokenGuard), the device id rule (DeviceIdPipe), the same ingest service and error
 * replies. The platform's Fastify hooks (request id, logging, security headers, metrics) and
 * its JSON body parser apply to these routes like to any other.
 */
@SkipThrottle()
@Injectable()
export class TelemetryRoutes implements OnModuleInit {
  private readonly logger = new Logger(TelemetryRoutes.name);
  private readonly deviceId = new DeviceIdPipe();

  constructor(
    private readonly ingestService: TelemetryIngestService,
    private readonly access: DeviceAccess,
    private readonly rateLimiter: RouteRateLimiter,
    private readonly adapterHost: HttpAdapterHost,
    private readonly contexts: ExternalContextCreator,
  ) {}

  onModuleInit(): void {
    this.register(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }

  private register(fastify: FastifyInstance): void {
    for (const route of ROUTES) {
      const schema = schemaOf(route);
      const ingest = this.contexts.create(
        this,
        this.ingestFor(route, schema) as (...args: unknown[]) => unknown,
        'ingestFor',
        undefined,
        undefined,
        undefined,
        undefined,
        { guards: true, interceptors: true, filters: false },
      ) as Ingest;
      fastify.route({
        method: 'POST',
        url: `/api/v1/devices/:id/${route.kind}`,
        schema: { body: schema.body() },
        // The refusal is worded by BatchSchema, after the guards have run.
        attachValidation: true,
        preValidation: (request, _reply, done) => {
          request.body = schema.wrap(request.body);
          done();
        },
        errorHandler: (error, _request, reply) => sendErrorReply(reply, error, this.logger),
        handler: async (request: FastifyRequest, reply: FastifyReply) => {
          const result = await ingest(request, reply);
          return reply.code(201).send(result);
        },
      });
    }
  }

  /** A route's handler, run by ExternalContextCreator inside the global guards and interceptors. */
  private ingestFor(route: TelemetryRoute, schema: BatchSchema<object>): Ingest {
    const limitKey = `telemetry:${route.kind}`;
    const store = this.storeFor(route.kind);
    return async (request, reply) => {
      // In the order of a controller: global guards (above), route guard, then the pipes.
      await this.rateLimiter.check(request, reply, limitKey);
      const { id } = request.params as { id: string };
      await this.access.authorize(id, request.headers.authorization);
      const deviceid = this.deviceId.transform(id);
      if (request.validationError) {
        throw schema.refusal(request.validationError.validation, request.body);
      }
      const ignored = new Set<string>();
      const records = schema.accept(request.body as Record<string, unknown>[], ignored);
      const result = await store(deviceid, records, request.id);
      if (ignored.size > 0) result.ignored_fields = [...ignored];
      return result;
    };
  }

  private storeFor(
    kind: TelemetryRoute['kind'],
  ): (deviceid: string, records: object[], requestId: string) => Promise<IngestResultDto> {
    if (kind === 'processes') {
      return (deviceid, records, requestId) =>
        this.ingestService.ingestProcesses(deviceid, records as ProcessDto[], requestId);
    }
    return (deviceid, records, requestId) =>
      this.ingestService.ingest(kind, deviceid, records, requestId);
  }
}

/** The OpenAPI entries of the routes above, for /docs (Swagger only scans controllers). */
export function documentTelemetryRoutes(document: OpenAPIObject): OpenAPIObject {
  for (const route of ROUTES) {
    const schema = schemaOf(route);
    const models = (document.components ??= {}).schemas ?? (document.components.schemas = {});
    models[route.dto.name] = withWording(schema.dto.openApi(), models[route.dto.name]);
    const record = { $ref: `#/components/schemas/${route.dto.name}` };
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
            'application/json': { schema: schema.openApi(record) },
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

type Model = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> };

/**
 * A record's rules come from its schema; the descriptions and examples of its fields from the
 * DTO's @ApiProperty decorators (what Swagger made of the class).
 */
function withWording(generated: Model, described: unknown): Model {
  const fields = (described as Model | undefined)?.properties ?? {};
  for (const [name, property] of Object.entries(generated.properties ?? {})) {
    const { description, example } = fields[name] ?? {};
    if (description !== undefined) property.description = description;
    if (example !== undefined) property.example = example;
  }
  return generated;
}
