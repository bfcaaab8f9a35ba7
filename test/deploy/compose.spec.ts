import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { configKeys, runTool } from '@app/testing/deploy-files';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  user?: string;
  volumes?: (string | { source?: string; target: string })[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** Which config class reads each app service's environment. */
const APP_SERVICES: Record<string, 'devices' | 'mentor'> = {
  devices: 'devices',
  'devices-migrate': 'devices',
  mentor: 'mentor',
  'mentor-migrate': 'mentor',
};

describe('docker-compose.yml (the real Compose parser)', () => {
  let compose: ComposeFile;

  beforeAll(() => {
    // The parser fills in .env.example's placeholders, as it would a user's .env.
    runTool('docker-compose', ['--env-file', '.env.example', 'config', '-q']);
    compose = load(
      runTool('docker-compose', ['--env-file', '.env.example', 'config']).stdout,
    ) as ComposeFile;
  });

  it('refuses to start without the secrets of .env, naming the missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raqeem-compose-'));
    try {
      writeFileSync(join(dir, 'empty.env'), '');
      assert.throws(
        () => runTool('docker-compose', ['--env-file', join(dir, 'empty.env'), 'config', '-q']),
        /set POSTGRES_PASSWORD in \.env/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sets only variables the app config classes know', () => {
    for (const [name, app] of Object.entries(APP_SERVICES)) {
      const service = compose.services[name];
      assert.ok(service, name);
      const known = configKeys(app);
      const unknown = Object.keys(service.environment ?? {}).filter((key) => !known.has(key));
      assert.deepEqual(unknown, [], name);
    }
  });

  it('runs each migration to completion before its app, and the apps read-only as uid 1000', () => {
    for (const [app, migration] of [
      ['devices', 'devices-migrate'],
      ['mentor', 'mentor-migrate'],
    ]) {
      const service = compose.services[app];
      assert.equal(service.depends_on?.[migration]?.condition, 'service_completed_successfully');
      assert.equal(service.depends_on?.postgres?.condition, 'service_healthy');
      assert.equal(
        service.depends_on?.['minio-bucket']?.condition,
        'service_completed_successfully',
      );
      assert.deepEqual(compose.services[migration].command, ['migrate', 'run', app]);
      for (const name of [app, migration]) {
        assert.equal(compose.services[name].read_only, true, name);
        assert.equal(compose.services[name].user, '1000:1000', name);
      }
      assert.equal(service.environment?.MIGRATIONS_RUN, 'false');
    }
  });

  it('gives every long-running service a healthcheck and waits on health, not on start', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name.endsWith('-migrate') || name === 'minio-bucket') continue;
      assert.ok(service.healthcheck?.test?.length, `${name} has a healthcheck`);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.notEqual(condition, 'service_started', `${name} -> ${dependency}`);
      }
    }
  });

  it('stores screenshots in MinIO and provisions Prometheus and Grafana from the repo', () => {
    for (const app of ['devices', 'mentor']) {
      const env = compose.services[app].environment!;
      assert.deepEqual([env.STORAGE_DRIVER, env.S3_ENDPOINT], ['s3', 'http://minio:9000']);
    }
    const mounts = (name: string): string[] =>
      (compose.services[name].volumes ?? []).map((v) =>
        typeof v === 'string' ? v : `${v.source}:${v.target}`,
      );
    assert.ok(mounts('prometheus').some((m) => m.includes('k8s/monitoring/alert-rules.yml')));
    assert.ok(mounts('prometheus').some((m) => m.includes('k8s/monitoring/prometheus.yml')));
    assert.ok(mounts('grafana').some((m) => m.includes('k8s/monitoring/grafana')));
    assert.ok(mounts('postgres').some((m) => m.includes('create-databases.sh')));
  });

  it('takes every credential from .env: the resolved values are the placeholders', () => {
    const placeholders = runTool('sh', ['-c', 'grep -E "^[A-Z_]+=" .env.example']).stdout;
    const token = /^MENTOR_API_TOKEN=(.*)$/m.exec(placeholders)![1];
    assert.equal(compose.services.devices.environment?.MENTOR_API_TOKEN, token);
    assert.equal(compose.services.mentor.environment?.MENTOR_API_TOKEN, token);
  });
});
