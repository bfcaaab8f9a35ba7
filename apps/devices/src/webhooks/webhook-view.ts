import type { WebhookEndpointEntity } from './webhook-endpoint.entity';

/** An endpoint as operators read it: never its secrets. */
export function webhookView(endpoint: WebhookEndpointEntity): Record<string, unknown> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabled_reason,
    previous_secret_expires_at: endpoint.previous_secret_expires_at,
    failing_since: endpoint.failing_since,
    last_success_at: endpoint.last_success_at,
    created_at: endpoint.created_at,
    updated_at: endpoint.updated_at,
  };
}
