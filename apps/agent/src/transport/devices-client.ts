import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SendError } from './send-error';

export interface PendingCommand {
  commandid: string;
  command_text: string;
}

export interface DeviceInfo {
  deviceid: string;
  device_name?: string;
  device_type?: string;
  os?: string;
  device_location?: string;
  ip_address?: string;
  mac_address?: string;
  current_user?: string;
}

/** Endpoint of each telemetry kind below /devices/{id}/. */
const PATHS = {
  metrics: 'metrics',
  activities: 'activities',
  alerts: 'alerts',
  processes: 'processes',
} as const;

export type TelemetryPath = keyof typeof PATHS;

/**
 * The Devices API as the agent uses it. A standalone program, so it calls axios directly (the
 * services send through @nestjs/axios); keep-alive connections; every non-2xx becomes a
 * SendError that says what to do about it.
 */
export class DevicesClient {
  private readonly http: AxiosInstance;

  constructor(server: string, timeoutMs: number, maxSockets = 8) {
    this.http = axios.create({
      baseURL: `${server}/api/v1`,
      timeout: timeoutMs,
      validateStatus: () => true,
      maxRedirects: 0,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      headers: { 'user-agent': 'raqeem-agent' },
    });
  }

  /** Enrols with the secret; returns the fresh device token. */
  async register(info: DeviceInfo, secret: string): Promise<string> {
    const response = await this.call(() =>
      this.http.post('/devices/register', info, { headers: { 'x-enrollment-secret': secret } }),
    );
    const token = (response.data as { device_token?: unknown }).device_token;
    if (typeof token !== 'string' || token === '') {
      throw new SendError('auth', 'the server gave no device_token (wrong enrollment secret?)');
    }
    return token;
  }

  async postTelemetry(
    deviceid: string,
    token: string,
    kind: TelemetryPath,
    records: unknown[],
  ): Promise<void> {
    await this.call(() =>
      this.http.post(`/devices/${encodeURIComponent(deviceid)}/${PATHS[kind]}`, records, {
        headers: bearer(token),
      }),
    );
  }

  async uploadScreenshot(
    deviceid: string,
    token: string,
    fields: { id: string; timestamp: string },
    image: Buffer,
    contentType = 'image/png',
  ): Promise<void> {
    const form = new FormData();
    form.append('id', fields.id);
    form.append('timestamp', fields.timestamp);
    form.append('file', new Blob([new Uint8Array(image)], { type: contentType }), 'screen.png');
    await this.call(() =>
      this.http.post(`/devices/${encodeURIComponent(deviceid)}/screenshots`, form, {
        headers: bearer(token),
      }),
    );
  }

  async pendingCommands(deviceid: string, token: string): Promise<PendingCommand[]> {
    const response = await this.call(() =>
      this.http.get(`/devices/${encodeURIComponent(deviceid)}/commands/pending`, {
        headers: bearer(token),
      }),
    );
    return Array.isArray(response.data) ? (response.data as PendingCommand[]) : [];
  }

  async reportResult(
    deviceid: string,
    token: string,
    commandid: string,
    result: { status: string; result?: string; exit_code?: number },
  ): Promise<void> {
    await this.call(() =>
      this.http.post(
        `/devices/${encodeURIComponent(deviceid)}/commands/${encodeURIComponent(commandid)}/result`,
        result,
        { headers: bearer(token) },
      ),
    );
  }

  private async call(send: () => Promise<AxiosResponse>): Promise<AxiosResponse> {
    let response: AxiosResponse;
    try {
      response = await send();
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new SendError('retry', `network: ${code ?? (error as Error).message}`);
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw SendError.fromStatus(
      response.status,
      response.data,
      response.headers['retry-after'] as string | undefined,
    );
  }
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
