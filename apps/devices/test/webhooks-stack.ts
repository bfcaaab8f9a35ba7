import { request } from '@app/testing/http-client';
import { TEST_OPERATOR_KEY } from '@app/testing/services';
import { Stack } from '@app/testing/stack';
import assert from 'node:assert/strict';
import { WebhookReceiver } from './webhooks-receiver';

export const operator = { 'x-api-key': TEST_OPERATOR_KEY };

export interface Endpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret?: string;
}

export interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  error: string | null;
  response: string | null;
}

/**
 * A Devices service (no Mentor) that may call webhook receivers on this machine over http,
 * with short timeouts and retries, one enrolled device, and a local receiver.
 */
export class WebhookTestStack {
  readonly receiver = new WebhookReceiver();
  /** The receiver's address; endpoints add a path of their own. */
  base!: string;
  stack!: Stack;

  private constructor(readonly device: string) {}

  static async start(name: string, device: string): Promise<WebhookTestStack> {
    const hooks = new WebhookTestStack(device);
    hooks.base = `http://127.0.0.1:${await hooks.receiver.listen()}`;
    hooks.stack = await Stack.start(name, {
      mentor: false,
      devicesEnv: {
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_TIMEOUT: '1s',
        WEBHOOK_RETRY_BASE: '100ms',
      },
    });
    await hooks.stack.registerDevice(device);
    return hooks;
  }

  get api(): string {
    return this.stack.api;
  }

  async close(): Promise<void> {
    await this.stack?.close();
    await this.receiver.close();
  }

  /** Registers an endpoint; fails the test unless it is created. */
  async register(body: Record<string, unknown>): Promise<Endpoint> {
    const response = await request<Endpoint>('POST', `${this.api}/webhooks`, {
      headers: operator,
      body,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body;
  }

  async remove(id: string): Promise<void> {
    const response = await request('DELETE', `${this.api}/webhooks/${id}`, { headers: operator });
    assert.equal(response.status, 204);
  }

  /** The endpoint's delivery log, newest first. */
  async deliveries(id: string): Promise<Delivery[]> {
    const response = await request<Delivery[]>('GET', `${this.api}/webhooks/${id}/deliveries`, {
      headers: operator,
    });
    assert.equal(response.status, 200);
    return response.body;
  }

  /** Posts metrics as the enrolled device; returns the status. */
  async postMetrics(records: Record<string, unknown>[]): Promise<number> {
    const response = await request('POST', `${this.api}/devices/${this.device}/metrics`, {
      headers: this.stack.asDevice(this.device),
      body: records,
    });
    return response.status;
  }

  /** The Devices service's Prometheus text. */
  async metrics(): Promise<string> {
    const response = await request<string>('GET', `${this.stack.devices.url}/metrics`);
    assert.equal(response.status, 200);
    return response.body;
  }

  /** Events kept (a telemetry group's row holds one per request). */
  async eventCount(): Promise<number> {
    const { rows } = await this.stack.devicesDb.query<{ n: number }>(
      'SELECT coalesce(sum(coalesce(cardinality(devices), 1)), 0)::int AS n FROM webhook_events',
    );
    return rows[0].n;
  }
}
