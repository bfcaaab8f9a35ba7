import { createHttpApp, loadConfig, runMigrations } from '@app/platform';
import { request } from '@app/testing/http-client';
import { createTestDatabase, dropTestDatabase } from '@app/testing/pg';
import { TEST_ENROLLMENT_SECRET, TEST_OPERATOR_KEY } from '@app/testing/services';
import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Module,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import assert from 'node:assert/strict';
import { tap, type Observable } from 'rxjs';
import { DevicesConfig } from '../src/config/devices.config';
import { devicesDataSourceOptions } from '../src/database/devices-data-source';
import { DevicesModule } from '../src/devices.module';

/** A global guard added to the app: refuses requests marked `x-probe: deny`, notes the others. */
@Injectable()
class ProbeGuard implements CanActivate {
  readonly seen: string[] = [];

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.seen.push(`${context.getClass().name} ${request.routeOptions.url}`);
    return request.headers['x-probe'] !== 'deny';
  }
}

/** A global interceptor added to the app: marks every answer it wrapped. */
@Injectable()
class ProbeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(tap(() => void reply.header('x-probe-intercepted', 'yes')));
  }
}

const DEVICE = 'enhancer-device';
const KINDS: [string, unknown][] = [
  ['metrics', { cpu_usage: 5 }],
  ['activities', { activity_type: 'app_focus' }],
  ['alerts', { level: 'info', alert_type: 'probe' }],
  ['processes', [{ pid: 1, process_name: 'init' }]],
];

/**
 * The telemetry routes are registered on Fastify by their module, not by Nest's router: a
 * global guard or interceptor added to the app later must still apply to them, as to every
 * controller route. The real Devices module, with a global guard and interceptor added the way
 * an application adds them (APP_GUARD, APP_INTERCEPTOR), on a real database.
 */
describe('Global guards and interceptors on the telemetry routes', () => {
  let app: NestFastifyApplication;
  let url: string;
  let database: { name: string; url: string };
  let token: string;
  const guard = new ProbeGuard();

  beforeAll(async () => {
    database = await createTestDatabase('telemetry_enhancers');
    const config = loadConfig(DevicesConfig, {
      DATABASE_URL: database.url,
      ENROLLMENT_SECRET: TEST_ENROLLMENT_SECRET,
      OPERATOR_API_KEY: TEST_OPERATOR_KEY,
      LOG_LEVEL: 'error',
    });
    await runMigrations(devicesDataSourceOptions(database.url, config.DB_SCHEMA, 2));
    @Module({
      imports: [DevicesModule.register(config, database.url)],
      providers: [
        { provide: APP_GUARD, useValue: guard },
        { provide: APP_INTERCEPTOR, useClass: ProbeInterceptor },
      ],
    })
    class ProbedDevicesModule {}
    app = await createHttpApp(ProbedDevicesModule, {
      title: 'probe',
      description: 'probe',
      version: '0',
      bodyLimit: config.BODY_LIMIT,
    });
    await app.listen(0, '127.0.0.1');
    url = `${await app.getUrl()}/api/v1`.replace('[::1]', '127.0.0.1');
    const registered = await request<{ device_token: string }>('POST', `${url}/devices/register`, {
      body: { deviceid: DEVICE },
      headers: { 'x-enrollment-secret': TEST_ENROLLMENT_SECRET },
    });
    assert.equal(registered.status, 201);
    token = registered.body.device_token;
  });

  afterAll(async () => {
    await app?.close();
    if (database) await dropTestDatabase(database.name);
  });

  it('passes every telemetry route through the global guard', async () => {
    for (const [kind, body] of KINDS) {
      const path = `${url}/devices/${DEVICE}/${kind}`;
      const headers = { authorization: `Bearer ${token}`, 'x-probe': 'deny' };
      const refused = await request('POST', path, { body, headers });
      assert.equal(refused.status, 403, `${kind}: the guard's refusal`);
      // Before the body is looked at, as for a controller.
      const invalid = await request('POST', path, { body: [{ pid: 'x' }], headers });
      assert.equal(invalid.status, 403, `${kind}: the guard runs before validation`);
      assert.ok(guard.seen.includes(`TelemetryRoutes /api/v1/devices/:id/${kind}`), kind);
    }
  });

  it('wraps every telemetry route in the global interceptor', async () => {
    for (const [kind, body] of KINDS) {
      const answer = await request<{ status: string }>('POST', `${url}/devices/${DEVICE}/${kind}`, {
        body,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(answer.status, 201, `${kind}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.status, 'ok');
      assert.equal(answer.headers.get('x-probe-intercepted'), 'yes', kind);
    }
  });
});
