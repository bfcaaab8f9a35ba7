/** What the queue holds; each kind goes to its own Devices endpoint. */
export type QueueKind =
  'metrics' | 'activities' | 'alerts' | 'processes' | 'screenshots' | 'results';

export const QUEUE_KINDS: readonly QueueKind[] = [
  'metrics',
  'activities',
  'alerts',
  'processes',
  'screenshots',
  'results',
];

/** A record to queue: its JSON body and, for a screenshot, the image. */
export interface NewQueueItem {
  deviceid: string;
  kind: QueueKind;
  /** The record id (a command result: the commandid). */
  recordId: string;
  body: Record<string, unknown> | unknown[];
  blob?: Buffer;
  /** Latest-state data: older queued items of the same device and kind are superseded. */
  replaces?: boolean;
}

export interface QueueItem {
  seq: number;
  deviceid: string;
  kind: QueueKind;
  recordId: string;
  body: unknown;
  blob?: Buffer;
  createdAt: number;
}

/** A device and kind with something waiting, and its oldest item. */
export interface QueueLane {
  deviceid: string;
  kind: QueueKind;
  first: number;
}
