import { createRequire } from 'node:module';

/** A Kubernetes object as kubectl renders it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

interface ModelClass {
  new (data: object): { validate(): void };
  prototype: { validate(this: object): void };
}

const load = createRequire(__filename);

/**
 * The kubernetes-models class of an object's apiVersion and kind (the Prometheus Operator's
 * models for monitoring.coreos.com); throws for a kind with no schema, so nothing goes unchecked.
 */
export function modelFor(object: KubeObject): ModelClass {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const module =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  const model = (load(module) as Record<string, ModelClass | undefined>)[object.kind];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

/** Validates against the Kubernetes schema; throws the schema's message on the first problem. */
export function validateSchema(object: KubeObject): void {
  const Model = modelFor(object);
  new Model(object).validate();
}

/**
 * The fields the schema does not know (as `spec.template.spec.containers[0].imagePullPolicyy`).
 * The schema's validators accept unknown fields, as the API server does unless asked for
 * strict field validation; this is that strict pass. It runs the same validator over proxies
 * that record which fields it reads: a validator reads every field its schema defines, so a
 * field it never read is unknown. Objects whose keys it lists (maps such as labels) and
 * objects it never looks into (free-form ones) have no fixed fields and are not judged.
 */
export function unknownFields(object: KubeObject): string[] {
  const data = structuredClone(object);
  const seen = new Map<object, { read: Set<PropertyKey>; listed: boolean }>();
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const known = proxies.get(value);
    if (known) return known;
    const access = { read: new Set<PropertyKey>(), listed: false };
    seen.set(value, access);
    const proxy = new Proxy(value, {
      get: (target, key) => {
        access.read.add(key);
        return wrap(Reflect.get(target, key));
      },
      has: (target, key) => {
        access.read.add(key);
        return Reflect.has(target, key);
      },
      getOwnPropertyDescriptor: (target, key) => {
        access.read.add(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
      ownKeys: (target) => {
        access.listed = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  modelFor(object).prototype.validate.call(wrap(data) as object);

  const unknown: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${path}[${index}]`));
      return;
    }
    const access = seen.get(value);
    if (!access) return;
    for (const [key, child] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (!access.listed && !access.read.has(key)) unknown.push(at);
      else walk(child, at);
    }
  };
  walk(data, '');
  return unknown;
}
