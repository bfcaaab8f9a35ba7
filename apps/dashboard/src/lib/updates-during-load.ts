import type { SetStateAction } from 'react';

type Update<T> = (value: T | undefined) => T | undefined;

/**
 * The changes a view made to its data (live events, its own actions) while a load was in
 * flight. The load's answer may predate them (a live event that arrived after the request went
 * out), so they are replayed on top of it rather than lost under it. The updates merge by id, so
 * one the answer already holds changes nothing. A value set outright is not replayed: the answer
 * is newer than it.
 */
export class UpdatesDuringLoad<T> {
  private updates: Update<T>[] | undefined;

  /** A load's request goes out now. */
  begin(): void {
    this.updates = [];
  }

  record(update: SetStateAction<T | undefined>): void {
    if (!this.updates) return;
    if (typeof update === 'function') this.updates.push(update as Update<T>);
  }

  /** The load's answer with the recorded changes applied, in order; recording stops. */
  settle(value: T): T | undefined {
    const updates = this.updates ?? [];
    this.updates = undefined;
    return updates.reduce<T | undefined>((data, update) => update(data), value);
  }

  /** The load failed or was replaced: nothing to replay. */
  drop(): void {
    this.updates = undefined;
  }
}
