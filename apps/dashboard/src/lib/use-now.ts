import { useSyncExternalStore } from 'react';

/**
 * One shared clock for "2 min ago" labels and offline flips: a local timer (no requests) that
 * keeps ticking once started, so the time it gives is never more than one tick old.
 */
const TICK_MS = 15_000;
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
  };
}

export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
