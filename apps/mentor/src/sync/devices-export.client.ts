import type { ExportPage } from '@app/contracts';

/** The Devices service could not be reached or refused the request. */
export class DevicesUnavailableError extends Error {}

/** Reads the Devices export feed with the service token. Throws with a readable reason. */
export class DevicesExportClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs: number,
  ) {}

  async page(since: string | null, limit: number): Promise<ExportPage> {
    let response: Response;
    try {
      response = await fetch(new URL('/api/v1/export', this.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify(since ? { since, limit } : { limit }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new DevicesUnavailableError(`Devices export unreachable: ${cause ?? String(error)}`);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new DevicesUnavailableError(
        `Devices export answered ${response.status}: ${text.slice(0, 300)}`,
      );
    }
    return (await response.json()) as ExportPage;
  }
}
