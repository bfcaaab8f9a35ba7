export interface SseEvent {
  event: string;
  data: unknown;
  receivedAt: number;
}

/**
 * A minimal server-sent-events reader over fetch (what a browser's EventSource does), keeping
 * every event with the time it arrived.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  status = 0;
  headers = new Headers();
  private readonly abort = new AbortController();
  private done?: Promise<void>;

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: client.abort.signal,
    });
    client.status = response.status;
    client.headers = response.headers;
    if (response.ok && response.body) client.done = client.read(response.body);
    return client;
  }

  close(): void {
    this.abort.abort();
  }

  /** Waits for the first event matching `match`, at most `timeoutMs`. */
  async next(match: (event: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length === 0) continue;
          const text = data.join('\n');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Plain text data stays a string.
          }
          this.events.push({ event, data: parsed, receivedAt: Date.now() });
        }
      }
    } catch {
      // Aborted by close().
    }
  }
}
