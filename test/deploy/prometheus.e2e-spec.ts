import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readYaml, repoPath } from '@app/testing/deploy-files';
import { request } from '@app/testing/http-client';
import { PrometheusServer } from '@app/testing/prometheus-server';
import { TEST_OPERATOR_KEY } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import { waitFor } from '@app/testing/wait-for';

interface ScrapeConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}
interface Dashboard {
  panels: { type: string; title: string; targets?: { expr: string }[] }[];
}
interface RuleGroups {
  groups: { rules: { alert: string; expr: string }[] }[];
}

const DEVICE = 'prometheus-e2e-device';
/** Grafana fills this in per panel; Prometheus needs a real window (4 of our 1 s scrapes). */
const RATE_INTERVAL = '20s';
const PANELS_WITH_DATA = [
  'Ingest rate by type',
  'Mentor ingest by type',
  'Forward success and failure by type',
  'Outbox backlog',
  'Database pool use',
  'Up and ready',
  'Webhook backlog by endpoint',
];

describe('A real Prometheus scraping both services with the repository config', () => {
  let stack: Stack;
  let prometheus: PrometheusServer;
  const rules = readYaml<RuleGroups>('k8s', 'monitoring', 'alert-rules.yml');
  const dashboard = JSON.parse(
    readFileSync(repoPath('k8s', 'monitoring', 'grafana', 'raqeem-dashboard.json'), 'utf8'),
  ) as Dashboard;

  beforeAll(async () => {
    stack = await Stack.start('prometheus');
    await stack.setUp(async () => {
      await stack.registerDevice(DEVICE, { device_name: 'Scraped', os: 'linux' });
      // A webhook endpoint with nothing to send: its backlog still reads 0 in Prometheus.
      const endpoint = await request('POST', `${stack.api}/webhooks`, {
        headers: { 'x-api-key': TEST_OPERATOR_KEY },
        body: { url: 'https://hooks.example/raqeem', events: ['alert.submitted'] },
      });
      assert.equal(endpoint.status, 201);
      // The compose scrape config, with the test's services as targets and fast intervals.
      const config = readYaml<ScrapeConfig>('k8s', 'monitoring', 'prometheus.yml');
      const targets: Record<string, string> = {
        'devices-backend': `127.0.0.1:${stack.devices.port}`,
        'mentor-backend': `127.0.0.1:${stack.mentor!.port}`,
      };
      assert.deepEqual(config.scrape_configs.map((s) => s.job_name).sort(), Object.keys(targets));
      for (const job of config.scrape_configs)
        job.static_configs = [{ targets: [targets[job.job_name]] }];
      config.global = { scrape_interval: '1s', evaluation_interval: '1s' };
      config.rule_files = [repoPath('k8s', 'monitoring', 'alert-rules.yml')];
      prometheus = await PrometheusServer.start(config);
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.close();
  });

  it('scrapes both services: up and service_ready are 1 for each job', async () => {
    for (const job of ['devices-backend', 'mentor-backend']) {
      await waitFor(async () => (await prometheus.scalar(`up{job="${job}"}`)) === 1, {
        timeoutMs: 30_000,
        message: () => `up{job="${job}"} == 1\n${prometheus.logs.slice(-2000)}`,
      });
      assert.equal(await prometheus.scalar(`service_ready{job="${job}"}`), 1);
      const pool = await prometheus.query(`db_pool_connections{job="${job}"}`);
      const states = pool.data!.result.map((s) => s.metric.state).sort();
      assert.deepEqual(states, ['idle', 'in_use', 'waiting']);
    }
  });

  it('sees forward_success_total rise after telemetry is sent', async () => {
    const before = (await prometheus.scalar('sum(forward_success_total)')) ?? 0;
    const response = await request('POST', `${stack.api}/devices/${DEVICE}/metrics`, {
      headers: stack.asDevice(DEVICE),
      body: [
        { id: randomUUID(), cpu_usage: 10, memory_total: 8e9, memory_used: 2e9 },
        { id: randomUUID(), cpu_usage: 20, memory_total: 8e9, memory_used: 3e9 },
      ],
    });
    assert.equal(response.status, 201);
    const after = await waitFor(
      async () => {
        const value = (await prometheus.scalar('sum(forward_success_total)')) ?? 0;
        return value >= before + 2 && value;
      },
      { timeoutMs: 30_000, message: 'forward_success_total to rise by the 2 records sent' },
    );
    assert.ok(after >= before + 2);
    // The mentor's side of the same records, once Prometheus has scraped it after the delivery.
    await waitFor(
      async () =>
        ((await prometheus.scalar('sum(mentor_ingest_records_total{job="mentor-backend"})')) ??
          0) >= 2,
      { timeoutMs: 30_000, message: 'mentor_ingest_records_total to count the 2 records' },
    );
  });

  it('evaluates every alert expression without error, and the rule groups are healthy', async () => {
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      const result = await prometheus.query(rule.expr);
      assert.equal(result.status, 'success', `${rule.alert}: ${result.error}`);
    }
    const names = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    await waitFor(
      async () => {
        const response = await fetch(`${prometheus.url}/api/v1/rules`);
        // JSON.parse, not response.json(): see PrometheusServer.query.
        const body = JSON.parse(await response.text()) as {
          data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
        };
        const loaded = body.data.groups.flatMap((g) => g.rules);
        const evaluated = loaded.filter((r) => r.health === 'ok').map((r) => r.name);
        const failing = loaded.filter((r) => r.health === 'err');
        assert.deepEqual(failing, []);
        return names.every((name) => evaluated.includes(name));
      },
      { timeoutMs: 20_000, message: 'every alert rule evaluated with health ok' },
    );
  });

  it("runs every dashboard panel's query, with data for traffic, forwarding and the pool", async () => {
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        const expr = target.expr.replaceAll('$__rate_interval', RATE_INTERVAL);
        assert.doesNotMatch(expr, /\$/, `${panel.title}: only Grafana's $__rate_interval is used`);
        const result = await prometheus.query(expr);
        assert.equal(result.status, 'success', `${panel.title}: ${expr}: ${result.error}`);
      }
    }
    for (const title of PANELS_WITH_DATA) {
      const panel = panels.find((p) => p.title === title);
      assert.ok(panel, title);
      await waitFor(
        async () => {
          for (const target of panel.targets ?? []) {
            const expr = target.expr.replaceAll('$__rate_interval', RATE_INTERVAL);
            const result = await prometheus.query(expr);
            if ((result.data?.result.length ?? 0) > 0) return true;
          }
          return false;
        },
        { timeoutMs: 20_000, message: `data in the panel "${title}"` },
      );
    }
  });
});
