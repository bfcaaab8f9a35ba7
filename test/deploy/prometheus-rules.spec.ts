import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { readYaml, repoPath, runTool } from '@app/testing/deploy-files';

interface RuleGroups {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}

const ALERTS = [
  'RaqeemOutboxOldestPendingAge',
  'RaqeemDeadLettersGrowing',
  'RaqeemForwardFailureRatio',
  'RaqeemServiceNotReady',
  'RaqeemHttp5xxRate',
  'RaqeemIngestStopped',
  'RaqeemWebhookDeadLetters',
  'RaqeemWebhookEndpointFailing',
];

describe('Prometheus configuration and alert rules (promtool)', () => {
  it('passes promtool check config and check rules', () => {
    runTool('promtool', ['check', 'config', repoPath('k8s', 'monitoring', 'prometheus.yml')]);
    const rules = runTool('promtool', [
      'check',
      'rules',
      repoPath('k8s', 'monitoring', 'alert-rules.yml'),
    ]);
    assert.match(rules.stdout, /SUCCESS: 8 rules found/);
  });

  it('passes the promtool unit tests, which cover every alert', () => {
    const result = runTool('promtool', [
      'test',
      'rules',
      repoPath('k8s', 'monitoring', 'alert-rules.test.yml'),
    ]);
    assert.match(result.stdout + result.stderr, /SUCCESS/);
    const tests = readFileSync(repoPath('k8s', 'monitoring', 'alert-rules.test.yml'), 'utf8');
    const rules = readYaml<RuleGroups>('k8s', 'monitoring', 'alert-rules.yml');
    const names = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    assert.deepEqual(names, ALERTS);
    for (const alert of ALERTS) {
      assert.match(tests, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    }
  });

  it('fails promtool test rules when an alert no longer fires as its test expects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raqeem-rules-'));
    try {
      const rules = readFileSync(repoPath('k8s', 'monitoring', 'alert-rules.yml'), 'utf8');
      writeFileSync(join(dir, 'alert-rules.yml'), rules.replace('> 300', '> 3000'));
      copyFileSync(
        repoPath('k8s', 'monitoring', 'alert-rules.test.yml'),
        join(dir, 'alert-rules.test.yml'),
      );
      assert.throws(
        () => runTool('promtool', ['test', 'rules', join(dir, 'alert-rules.test.yml')]),
        /RaqeemOutboxOldestPendingAge/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the dashboard JSON loadable with a query on every panel', () => {
    const dashboard = JSON.parse(
      readFileSync(repoPath('k8s', 'monitoring', 'grafana', 'raqeem-dashboard.json'), 'utf8'),
    ) as { uid: string; panels: { type: string; title: string; targets?: { expr: string }[] }[] };
    assert.equal(dashboard.uid, 'raqeem-overview');
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    assert.ok(panels.length >= 12);
    for (const panel of panels) assert.ok(panel.targets?.length, panel.title);
    assert.ok(load(readFileSync(repoPath('compose', 'grafana', 'dashboards.yml'), 'utf8')));
  });
});
