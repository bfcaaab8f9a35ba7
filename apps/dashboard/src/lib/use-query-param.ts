import { useCallback } from 'react';
import { useSearchParams } from 'wouter';

/**
 * Values kept in the query string, so a reload or the back button keeps the view. `replace`
 * for values that change as the user types.
 */
export function useQueryParams(): [
  URLSearchParams,
  (changes: Record<string, string | null | undefined>, replace?: boolean) => void,
] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: Record<string, string | null | undefined>, replace = false) => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes)) {
            if (value === null || value === undefined || value === '') next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace },
      );
    },
    [setParams],
  );
  return [params, update];
}
