import type { ExportPage } from '@app/contracts';
import { OutboundHttp } from '@app/delivery';
import { Injectable } from '@nestjs/common';
import { MentorConfig } from '../config/mentor.config';

/** The Devices service could not be reached or refused the request. */
export class DevicesUnavailableError extends Error {}

/** Reads the Devices export feed with the service token. Throws with a readable reason. */
@Injectable()
export class DevicesExportClient {
  constructor(
    private readonly config: MentorConfig,
    private readonly http: OutboundHttp,
  ) {}

  /** Whether there is a feed to read (DEVICES_API_URL and the service token are set). */
  get configured(): boolean {
    return !!this.config.DEVICES_API_URL && !!this.config.MENTOR_API_TOKEN;
  }

  /** One page from `since`; `requestId` names the sync run in Devices' logs. */
  async page(since: string | null, limit: number, requestId: string): Promise<ExportPage> {
    const { outcome, body } = await this.http.postJson(
      new URL('/api/v1/export', this.config.DEVICES_API_URL),
      JSON.stringify(since ? { since, limit } : { limit }),
      {
        receiver: 'Devices export',
        requestIds: [requestId],
        headers: { authorization: `Bearer ${this.config.MENTOR_API_TOKEN}` },
      },
    );
    if (outcome.kind !== 'delivered') throw new DevicesUnavailableError(outcome.reason);
    try {
      return JSON.parse(body) as ExportPage;
    } catch {
      throw new DevicesUnavailableError(`Devices export answered with invalid JSON`);
    }
  }
}
