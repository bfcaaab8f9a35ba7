import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { configKeys, renderOverlay, repoPath, runTool } from '@app/testing/deploy-files';
import { unknownFields, validateSchema, type KubeObject } from '@app/testing/kube-schema';

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  startupProbe?: unknown;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}
interface Workload {
  kind: string;
  name: string;
  labels: Record<string, string>;
  pod: PodSpec;
}
type Selector = { matchLabels?: Record<string, string> };

const OVERLAYS = ['dev', 'prod'] as const;
const APPS: Record<string, 'devices' | 'mentor'> = {
  'devices-backend': 'devices',
  'mentor-backend': 'mentor',
};

const spec = <T>(object: KubeObject): T => object.spec as T;
const find = (objects: KubeObject[], kind: string, name: string): KubeObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} is rendered`);
  return found;
};
const workloads = (objects: KubeObject[]): Workload[] =>
  objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind))
    .map((o) => {
      const template = spec<{
        template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
      }>(o).template;
      return {
        kind: o.kind,
        name: o.metadata.name,
        labels: template.metadata.labels,
        pod: template.spec,
      };
    });
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);
const durationSeconds = (value: string): number => {
  const match = /^(\d+)(ms|s|m)?$/.exec(value);
  assert.ok(match, `duration ${value}`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n / 1000 : match[2] === 'm' ? n * 60 : n;
};

describe('Kubernetes manifests (kubectl kustomize, kubernetes-models schemas)', () => {
  const rendered: Record<string, KubeObject[]> = {};

  beforeAll(() => {
    for (const overlay of OVERLAYS) rendered[overlay] = renderOverlay(overlay);
  });

  it('renders both overlays with kubectl kustomize and the base on its own', () => {
    const base = runTool('kubectl', ['kustomize', repoPath('k8s', 'base')]);
    assert.match(base.stdout, /kind: Deployment/);
    for (const overlay of OVERLAYS) assert.ok(rendered[overlay].length > 10, overlay);
  });

  it('validates every rendered object against its Kubernetes or Prometheus Operator schema', () => {
    for (const overlay of OVERLAYS) {
      for (const object of rendered[overlay]) {
        assert.doesNotThrow(
          () => validateSchema(object),
          `${overlay}: ${object.kind} ${object.metadata.name}`,
        );
      }
    }
  });

  it('has no field the schemas do not know (strict pass)', () => {
    for (const overlay of OVERLAYS) {
      for (const object of rendered[overlay]) {
        assert.deepEqual(
          unknownFields(object),
          [],
          `${overlay}: ${object.kind} ${object.metadata.name}`,
        );
      }
    }
  });

  it('catches a misspelt field in the strict pass that the schema pass lets through', () => {
    const deployment = structuredClone(find(rendered.dev, 'Deployment', 'devices-backend'));
    const pod = spec<{ template: { spec: PodSpec } }>(deployment).template.spec;
    (pod.containers[0] as unknown as Record<string, unknown>).imagePullPolicyy = 'Always';
    spec<Record<string, unknown>>(deployment).replicaz = 2;
    assert.doesNotThrow(() => validateSchema(deployment));
    assert.deepEqual(unknownFields(deployment), [
      'spec.template.spec.containers[0].imagePullPolicyy',
      'spec.replicaz',
    ]);
    const monitor = structuredClone(find(rendered.prod, 'ServiceMonitor', 'raqeem'));
    spec<{ endpoints: Record<string, unknown>[] }>(monitor).endpoints[0].intervall = '5s';
    assert.deepEqual(unknownFields(monitor), ['spec.endpoints[0].intervall']);
  });

  it('keeps the reference names: namespace, Deployments, Services, ports and the ConfigMap', () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      find(objects, 'Namespace', 'raqeem');
      for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
        assert.equal(object.metadata.namespace, 'raqeem', `${object.kind} ${object.metadata.name}`);
      }
      find(objects, 'Deployment', 'devices-backend');
      find(objects, 'Deployment', 'mentor-backend');
      const devices = spec<{ type?: string; ports: { port: number; nodePort?: number }[] }>(
        find(objects, 'Service', 'devices-backend'),
      );
      const mentor = spec<{ type?: string; ports: { port: number; nodePort?: number }[] }>(
        find(objects, 'Service', 'mentor-backend-service'),
      );
      assert.equal(devices.ports[0].port, 8081);
      assert.equal(mentor.ports[0].port, 8080);
      if (overlay === 'dev') {
        assert.deepEqual([devices.type, devices.ports[0].nodePort], ['NodePort', 30080]);
        assert.deepEqual([mentor.type, mentor.ports[0].nodePort], ['NodePort', 30081]);
      }
      // Exactly this name (no generator hash), so `kubectl get configmap devices-backend-config` works.
      const config = find(objects, 'ConfigMap', 'devices-backend-config');
      assert.equal(
        (config.data as Record<string, string>).MENTOR_API_URL,
        'http://mentor-backend-service:8080',
      );
    }
  });

  it('runs PostgreSQL as a StatefulSet with a claim in dev and a managed database in prod', () => {
    const postgres = spec<{ volumeClaimTemplates?: unknown[] }>(
      find(rendered.dev, 'StatefulSet', 'postgres'),
    );
    assert.equal(postgres.volumeClaimTemplates?.length, 1);
    assert.equal(rendered.prod.filter((o) => o.metadata.name === 'postgres').length, 0);
    const secret = find(
      rendered.prod,
      'Secret',
      rendered.prod.find((o) => o.kind === 'Secret')!.metadata.name,
    );
    const url = Buffer.from((secret.data as Record<string, string>).DEVICES_DATABASE_URL, 'base64');
    assert.match(url.toString(), /@db\.example\.internal:5432\/devices$/);
  });

  it('gives every container probes (services), resources and a locked-down security context', () => {
    for (const overlay of OVERLAYS) {
      for (const workload of workloads(rendered[overlay])) {
        const where = `${overlay}: ${workload.kind} ${workload.name}`;
        assert.equal(workload.pod.securityContext?.runAsNonRoot, true, where);
        assert.equal(workload.pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', where);
        const all = [...(workload.pod.initContainers ?? []), ...workload.pod.containers];
        for (const container of all) {
          const at = `${where} container ${container.name}`;
          for (const kind of ['requests', 'limits'] as const) {
            assert.ok(container.resources?.[kind]?.cpu, `${at} ${kind}.cpu`);
            assert.ok(container.resources?.[kind]?.memory, `${at} ${kind}.memory`);
          }
          assert.equal(container.securityContext?.allowPrivilegeEscalation, false, at);
          assert.equal(container.securityContext?.readOnlyRootFilesystem, true, at);
          assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL'], at);
        }
        for (const container of workload.pod.containers) {
          const at = `${where} container ${container.name}`;
          assert.ok(container.startupProbe, `${at} startupProbe`);
          assert.ok(container.livenessProbe, `${at} livenessProbe`);
          assert.ok(container.readinessProbe, `${at} readinessProbe`);
        }
      }
    }
  });

  it('migrates in an init container and gives SIGTERM time for preStop plus the drain', () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      for (const [name, app] of Object.entries(APPS)) {
        const workload = workloads(objects).find((w) => w.name === name)!;
        const migrate = workload.pod.initContainers?.find((c) => c.name === 'migrate');
        assert.deepEqual(migrate?.args, ['migrate', 'run', app], `${overlay} ${name}`);
        const config = find(objects, 'ConfigMap', `${name}-config`).data as Record<string, string>;
        assert.equal(config.MIGRATIONS_RUN, 'false');
        const preStop = workload.pod.containers[0].lifecycle?.preStop?.exec?.command;
        assert.deepEqual(preStop?.slice(0, 1), ['sleep']);
        const needed = Number(preStop[1]) + durationSeconds(config.SHUTDOWN_GRACE);
        assert.ok(
          (workload.pod.terminationGracePeriodSeconds ?? 30) > needed,
          `${overlay} ${name}: grace period above preStop + SHUTDOWN_GRACE (${needed} s)`,
        );
      }
    }
  });

  it('sets only variables the app config classes know', () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      for (const workload of workloads(objects)) {
        const app = APPS[workload.name];
        if (!app) continue;
        const known = configKeys(app);
        for (const container of [
          ...(workload.pod.initContainers ?? []),
          ...workload.pod.containers,
        ]) {
          const names = (container.env ?? []).map((e) => e.name);
          for (const source of container.envFrom ?? []) {
            assert.ok(source.configMapRef, 'envFrom only from ConfigMaps');
            const map = find(objects, 'ConfigMap', source.configMapRef.name);
            names.push(...Object.keys(map.data as Record<string, string>));
          }
          const unknown = names.filter((name) => !known.has(name));
          assert.deepEqual(unknown, [], `${overlay} ${workload.name}/${container.name}`);
        }
      }
    }
  });

  it('references only Secret and ConfigMap keys that exist', () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      const keysOf = (kind: string, name: string): string[] =>
        Object.keys((find(objects, kind, name).data as Record<string, string>) ?? {});
      let refs = 0;
      for (const workload of workloads(objects)) {
        for (const container of [
          ...(workload.pod.initContainers ?? []),
          ...workload.pod.containers,
        ]) {
          for (const variable of container.env ?? []) {
            const secret = variable.valueFrom?.secretKeyRef;
            const map = variable.valueFrom?.configMapKeyRef;
            if (secret) assert.ok(keysOf('Secret', secret.name).includes(secret.key), secret.key);
            if (map) assert.ok(keysOf('ConfigMap', map.name).includes(map.key), map.key);
            if (secret || map) refs++;
          }
        }
        for (const volume of workload.pod.volumes ?? []) {
          if (volume.configMap) find(objects, 'ConfigMap', volume.configMap.name);
          if (volume.secret) find(objects, 'Secret', volume.secret.secretName);
        }
      }
      assert.ok(refs >= 8, `${overlay}: the credentials come from the Secret (${refs} refs)`);
    }
  });

  it('selects real pods from every Service, NetworkPolicy, PDB and the ServiceMonitor', () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      const pods = workloads(objects).map((w) => w.labels);
      const someMatch = (selector: Record<string, string>): boolean =>
        pods.some((labels) => matches(selector, labels));
      for (const service of objects.filter((o) => o.kind === 'Service')) {
        const selector = spec<{ selector: Record<string, string> }>(service).selector;
        assert.ok(someMatch(selector), `${overlay}: Service ${service.metadata.name}`);
      }
      for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy')) {
        const body = spec<{
          podSelector: Selector;
          ingress?: { from: { podSelector?: Selector }[] }[];
        }>(policy);
        const own = body.podSelector.matchLabels ?? {};
        if (Object.keys(own).length > 0)
          assert.ok(someMatch(own), `${overlay}: ${policy.metadata.name}`);
        for (const rule of body.ingress ?? []) {
          for (const peer of rule.from) {
            if (peer.podSelector?.matchLabels) {
              assert.ok(
                someMatch(peer.podSelector.matchLabels),
                `${overlay}: ${policy.metadata.name} peer`,
              );
            }
          }
        }
      }
      const pdb = spec<{ selector: Selector }>(
        find(objects, 'PodDisruptionBudget', 'devices-backend'),
      );
      assert.ok(someMatch(pdb.selector.matchLabels!), `${overlay}: PDB`);
      const monitor = spec<{ selector: Selector; endpoints: { port: string }[] }>(
        find(objects, 'ServiceMonitor', 'raqeem'),
      );
      const scraped = objects.filter(
        (o) =>
          o.kind === 'Service' && matches(monitor.selector.matchLabels!, o.metadata.labels ?? {}),
      );
      assert.deepEqual(scraped.map((s) => s.metadata.name).sort(), [
        'devices-backend',
        'mentor-backend-service',
      ]);
      for (const service of scraped) {
        const ports = spec<{ ports: { name: string }[] }>(service).ports.map((p) => p.name);
        assert.ok(ports.includes(monitor.endpoints[0].port), service.metadata.name);
      }
    }
  });

  it('scales Devices with an HPA in prod and limits ingress to the services that need it', () => {
    const hpa = spec<{ scaleTargetRef: { kind: string; name: string }; minReplicas: number }>(
      find(rendered.prod, 'HorizontalPodAutoscaler', 'devices-backend'),
    );
    assert.deepEqual(hpa.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'devices-backend',
    });
    assert.ok(hpa.minReplicas >= 2);
    const peersOf = (objects: KubeObject[], name: string): string[] =>
      spec<{ ingress: { from: { podSelector?: Selector }[] }[] }>(
        find(objects, 'NetworkPolicy', name),
      )
        .ingress.flatMap((rule) => rule.from)
        .map((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'])
        .filter((peer): peer is string => peer !== undefined);
    assert.deepEqual(peersOf(rendered.prod, 'mentor-backend'), ['devices-backend']);
    assert.deepEqual(peersOf(rendered.prod, 'devices-backend'), ['mentor-backend']);
    assert.deepEqual(peersOf(rendered.dev, 'postgres').sort(), [
      'devices-backend',
      'mentor-backend',
    ]);
    find(rendered.prod, 'NetworkPolicy', 'default-deny-ingress');
  });

  it('trusts the ingress controller for client addresses and annotates pods for scraping', () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      for (const name of Object.keys(APPS)) {
        const config = find(objects, 'ConfigMap', `${name}-config`).data as Record<string, string>;
        assert.match(config.TRUST_PROXY, /^\d+\.\d+\.\d+\.\d+\/\d+/);
        const workload = find(objects, 'Deployment', name);
        const annotations = spec<{
          template: { metadata: { annotations: Record<string, string> } };
        }>(workload).template.metadata.annotations;
        assert.equal(annotations['prometheus.io/scrape'], 'true');
        assert.equal(annotations['prometheus.io/path'], '/metrics');
      }
      find(objects, 'Ingress', 'raqeem');
    }
  });

  it('ships the alert rules and the Grafana dashboard as the repository files', () => {
    const rule = find(rendered.prod, 'PrometheusRule', 'raqeem');
    const rulesFile = readFileSync(repoPath('k8s', 'monitoring', 'alert-rules.yml'), 'utf8');
    assert.deepEqual(rule.spec, load(rulesFile));
    const dashboard = find(rendered.prod, 'ConfigMap', 'raqeem-grafana-dashboard');
    assert.equal(dashboard.metadata.labels?.grafana_dashboard, '1');
    assert.equal(
      (dashboard.data as Record<string, string>)['raqeem-dashboard.json'],
      readFileSync(repoPath('k8s', 'monitoring', 'grafana', 'raqeem-dashboard.json'), 'utf8'),
    );
  });

  it('keeps the secrets files out of git', () => {
    for (const overlay of OVERLAYS) {
      runTool('git', ['check-ignore', '-q', `k8s/overlays/${overlay}/secrets.env`]);
    }
    runTool('git', ['check-ignore', '-q', '.env']);
  });
});
