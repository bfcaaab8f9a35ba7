import { Agent, request } from 'node:http';

/**
 * GETs for closed loops: node:http over one keep-alive Agent with a socket per worker, each body
 * drained unread. fetch (undici) plus arrayBuffer cost the bench process several times more CPU
 * per large answer, CPU that the services under test share on a 2-core machine.
 */
export class KeepAliveClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** Whether the status was 200, once the whole body has arrived (so a timed call is complete). */
  get(path: string): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const req = request(
        `${this.baseUrl}${path}`,
        { agent: this.agent, headers: this.headers },
        (response) => {
          response.on('end', () => resolve(response.statusCode === 200));
          response.on('error', reject);
          response.resume();
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
