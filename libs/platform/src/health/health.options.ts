export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  service: string;
  version: string;
  /** Extra facts for `/health` (e.g. forwarding backlog); must not call other services. */
  summary?: () => Promise<Record<string, unknown>>;
}
