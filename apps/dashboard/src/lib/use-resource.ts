import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type Dispatch,
  type SetStateAction,
} from 'react';
import { useResync } from '../live/use-live';
import { UpdatesDuringLoad } from './updates-during-load';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
  setData: Dispatch<SetStateAction<T | undefined>>;
}

/**
 * Data loaded from the API for a view: loaded again when `key` changes and when the live
 * stream comes back after a break (so the view catches up); the previous data stays on screen
 * while a reload runs. An older answer never overwrites a newer one, nor the live events that
 * arrived while it was on its way (they are replayed on it).
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [generation, setGeneration] = useState(0);
  // Which load the shown data or error came from: loading until it is the current one.
  const [settled, setSettled] = useState<string>();
  const loader = useRef(load);
  useEffect(() => {
    loader.current = load;
  });
  const token = `${key}#${generation}`;

  const [duringLoad] = useState(() => new UpdatesDuringLoad<T>());

  useEffect(() => {
    const controller = new AbortController();
    duringLoad.begin();
    loader.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(duringLoad.settle(value));
        setError(undefined);
        setSettled(token);
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        duringLoad.drop();
        setError(reason instanceof Error ? reason : new Error(String(reason)));
        setSettled(token);
      },
    );
    return () => controller.abort();
  }, [token, duringLoad]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  useResync(reload);
  // Changes made while a load runs are replayed on its answer (UpdatesDuringLoad).
  const update = useCallback(
    (change: SetStateAction<T | undefined>) => {
      duringLoad.record(change);
      setData(change);
    },
    [duringLoad],
  );
  return { data, error, loading: settled !== token, reload, setData: update };
}
