import 'reflect-metadata';
import { exitOnStartupFailure, loadConfig, runService } from '@app/platform';
import { MENTOR_ROUTE_SECURITY, mentorSecuritySchemes } from './auth/route-security';
import { MentorConfig } from './config/mentor.config';
import { serveDashboard } from './dashboard/serve-dashboard';
import { mentorDataSourceOptions } from './database/mentor-data-source';
import { MentorModule } from './mentor.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig(MentorConfig);
  await runService({
    name: 'mentor',
    title: 'Raqeem Mentor',
    description: 'Ingest from the Devices service, reconciliation, query API and dashboard.',
    config,
    port: config.MENTOR_PORT,
    secrets: ['MENTOR_API_TOKEN', 'JWT_SECRET'],
    dataSourceOptions: (url) =>
      mentorDataSourceOptions(url, config.DB_SCHEMA, config.DATABASE_POOL_SIZE),
    module: (url) => MentorModule.register(config, url),
    docs: mentorSecuritySchemes,
    security: MENTOR_ROUTE_SECURITY,
    configure: (app) => serveDashboard(app, config.DASHBOARD_DIR),
    dashboardPath: '/',
    bannerLines: [
      config.DEVICES_API_URL
        ? `reconciling by pull from ${config.DEVICES_API_URL}`
        : 'push only: DEVICES_API_URL not set',
    ],
  });
}

bootstrap().catch(exitOnStartupFailure);
