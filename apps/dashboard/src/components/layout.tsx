import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { session } from '../api/session';
import { useLiveStatus } from '../live/use-live';
import { useSession } from '../lib/use-session';

const STATUS_TEXT = {
  live: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const [location] = useLocation();
  const active = href === '/' ? location === '/' : location.startsWith(href);
  return (
    <Link href={href} aria-current={active ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const status = useLiveStatus();
  const [, navigate] = useLocation();
  const signOut = async () => {
    await session.signOut();
    navigate('/login', { replace: true });
  };
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand">
          <img src="/favicon.svg" width="22" height="22" alt="" />
          Raqeem
        </Link>
        <nav className="nav" aria-label="Main">
          <NavLink href="/">Overview</NavLink>
          <NavLink href="/devices">Devices</NavLink>
          <NavLink href="/forwarding">Forwarding</NavLink>
          {user?.role === 'admin' && <NavLink href="/users">Users</NavLink>}
        </nav>
        <div className="topbar-end">
          <span className={`badge ${status}`} data-live-status={status} role="status">
            {STATUS_TEXT[status]}
          </span>
          <span className="small" title={`Role: ${user?.role}`}>
            {user?.username}
            <span className="muted"> · {user?.role}</span>
          </span>
          <button type="button" className="btn small" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main>{children}</main>
    </div>
  );
}
