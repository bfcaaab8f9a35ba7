import { api } from '../api/client';
import type { LiveEvent } from '../api/types';

export type LiveStatus = 'offline' | 'connecting' | 'live' | 'reconnecting';

const EVENT_TYPES: LiveEvent['type'][] = [
  'metrics',
  'activities',
  'alerts',
  'processes',
  'device',
  'command',
  'screenshots',
];
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

type Handler = (event: LiveEvent) => void;
type Listener = () => void;

/**
 * The one event stream of the whole app: a ticket from `POST /events/ticket`, then an
 * EventSource on `/events?ticket=`. When the stream breaks it is closed and opened again with a
 * new ticket after a growing, jittered delay; once it is back every view refetches
 * (`onResync`), which catches up on whatever was stored meanwhile.
 */
class LiveConnection {
  status: LiveStatus = 'offline';
  private source: EventSource | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private running = false;
  private wasLive = false;
  private readonly handlers = new Set<Handler>();
  private readonly resyncs = new Set<Listener>();
  private readonly statusListeners = new Set<Listener>();

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wasLive = false;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.retry);
    this.source?.close();
    this.source = undefined;
    this.setStatus('offline');
  }

  onEvent(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  onResync(listener: Listener): () => void {
    this.resyncs.add(listener);
    return () => this.resyncs.delete(listener);
  }

  onStatus = (listener: Listener): (() => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  getStatus = (): LiveStatus => this.status;

  private async connect(): Promise<void> {
    this.setStatus(this.wasLive ? 'reconnecting' : 'connecting');
    let ticket: string;
    try {
      ({ ticket } = await api<{ ticket: string }>('/events/ticket', { method: 'POST' }));
    } catch {
      this.scheduleRetry();
      return;
    }
    if (!this.running) return;
    const source = new EventSource(`/events?ticket=${encodeURIComponent(ticket)}`);
    this.source = source;
    source.onopen = () => {
      this.attempt = 0;
      const resumed = this.wasLive;
      this.wasLive = true;
      this.setStatus('live');
      if (resumed) for (const listener of this.resyncs) listener();
    };
    source.onerror = () => {
      // The browser would retry with the same (spent) ticket: take over instead.
      source.close();
      if (this.source === source) {
        this.source = undefined;
        this.scheduleRetry();
      }
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message: MessageEvent<string>) => {
        let event: LiveEvent;
        try {
          event = JSON.parse(message.data) as LiveEvent;
        } catch {
          return;
        }
        for (const handler of this.handlers) handler(event);
      });
    }
  }

  private scheduleRetry(): void {
    if (!this.running) return;
    this.setStatus(this.wasLive ? 'reconnecting' : 'connecting');
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retry = setTimeout(() => void this.connect(), delay);
  }

  private setStatus(status: LiveStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener();
  }
}

export const live = new LiveConnection();
