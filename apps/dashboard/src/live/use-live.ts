import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { LiveEvent } from '../api/types';
import { live, type LiveStatus } from './live-connection';

/** Calls `handler` for each live event of `type` (and of `deviceid`, when given). */
export function useLiveEvent<R = Record<string, unknown>>(
  type: LiveEvent['type'] | LiveEvent['type'][],
  handler: (event: LiveEvent<R>) => void,
  deviceid?: string,
): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  const types = Array.isArray(type) ? type.join(',') : type;
  useEffect(
    () =>
      live.onEvent((event) => {
        if (!types.split(',').includes(event.type)) return;
        if (deviceid !== undefined && event.deviceid !== deviceid) return;
        latest.current(event as LiveEvent<R>);
      }),
    [types, deviceid],
  );
}

/** Calls `listener` when the stream is back after a break (time to refetch). */
export function useResync(listener: () => void): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => live.onResync(() => latest.current()), []);
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(live.onStatus, live.getStatus);
}
