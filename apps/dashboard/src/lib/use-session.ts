import { useSyncExternalStore } from 'react';
import { session, type SessionUser } from '../api/session';

export function useSession(): { user: SessionUser | null; ready: boolean } {
  const user = useSyncExternalStore(session.subscribe, session.current);
  const ready = useSyncExternalStore(session.subscribe, () => session.ready);
  return { user, ready };
}

export function useIsAdmin(): boolean {
  return useSession().user?.role === 'admin';
}
