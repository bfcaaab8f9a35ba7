import { useEffect, useState } from 'react';
import { apiBlob } from '../api/client';

/** An image fetched through the API with the session's token, as a blob URL for <img>. */
export function useBlobUrl(path: string | null): { url?: string; error?: string } {
  const [state, setState] = useState<{ path: string; url?: string; error?: string }>();
  useEffect(() => {
    if (!path) return;
    const controller = new AbortController();
    let url: string | undefined;
    apiBlob(path, controller.signal).then(
      (blob) => {
        url = URL.createObjectURL(blob);
        setState({ path, url });
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) {
          setState({ path, error: reason instanceof Error ? reason.message : String(reason) });
        }
      },
    );
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [path]);
  return state && state.path === path ? state : {};
}
