export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  service: string;
  version: string;
  /**
   * Extra facts for `/health` (e.g. forwarding backlog); must not call other services. A
   * `degraded` string turns the summary's status to `degraded` with it as the reason.
   */
  summary?: () => Promise<Record<string, unknown>>;
}
