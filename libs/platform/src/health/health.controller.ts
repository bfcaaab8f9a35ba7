import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../security/auth.decorators';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { MetricsService } from '../metrics/metrics.service';
import { HEALTH_OPTIONS, HealthOptions } from './health.options';
import { ShutdownState } from './shutdown-state.service';

/**
 * `/health/live` never touches the database (a slow database must not get the pod killed);
 * `/health/ready` pings this service's own database only, never the other service;
 * `/health` is the summary the reference's troubleshooting reads: `degraded` (still 200) when a
 * summary part says so, such as forwarding while the mentor is down.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly shutdown: ShutdownState,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    metrics: MetricsService,
  ) {
    // Readiness as a metric, for the "not ready" alert: the same check, made at scrape time.
    const check = (): ReturnType<HealthController['check']> => this.check();
    metrics.gauge(
      'service_ready',
      '1 when /health/ready would answer 200 (own database reachable, not shutting down)',
      [],
      async function () {
        this.set((await check()).status === 'ok' ? 1 : 0);
      },
    );
  }

  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const result = await this.check();
    if (result.status !== 'ok') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return result;
  }

  @Get()
  async summary(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const result = await this.check();
    if (result.status !== 'ok') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    const { degraded, ...extra } = await this.summaryFacts();
    // Degraded (the other service down, say) still answers 200: only our own trouble is 503.
    const isDegraded = result.status === 'ok' && typeof degraded === 'string';
    return {
      ...result,
      ...(isDegraded ? { status: 'degraded', reason: degraded } : {}),
      service: this.options.service,
      version: this.options.version,
      uptime_seconds: Math.round((Date.now() - this.startedAt) / 1000),
      ...extra,
    };
  }

  /**
   * The app's own facts read the database too; while it is down they are reported missing, so
   * the summary still answers (503 with the reason) instead of failing as a whole.
   */
  private async summaryFacts(): Promise<Record<string, unknown>> {
    if (!this.options.summary) return {};
    try {
      return await this.options.summary();
    } catch {
      return { details: 'unavailable: they are read from the database' };
    }
  }

  private async check(): Promise<{ status: string; database: string; reason?: string }> {
    if (this.shutdown.isShuttingDown) {
      return { status: 'shutting_down', database: 'unknown', reason: 'shutting down' };
    }
    try {
      await this.health.check([() => this.db.pingCheck('database', { timeout: 1500 })]);
      return { status: 'ok', database: 'up' };
    } catch {
      return { status: 'error', database: 'down', reason: 'database unreachable' };
    }
  }
}
