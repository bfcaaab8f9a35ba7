import { useEffect } from 'react';
import { Redirect, Route, Switch, useLocation, useSearch } from 'wouter';
import { Layout } from './components/layout';
import { Loading } from './components/states';
import { live } from './live/live-connection';
import { useSession } from './lib/use-session';
import { DevicePage } from './pages/device-page';
import { DevicesPage } from './pages/devices-page';
import { ForwardingPage } from './pages/forwarding-page';
import { LoginPage } from './pages/login-page';
import { NotFoundPage } from './pages/not-found-page';
import { OverviewPage } from './pages/overview-page';
import { UsersPage } from './pages/users-page';

/**
 * Routes, behind the session: without one every page leads to sign-in, which then returns to
 * the page asked for (`/login?next=`). The live stream runs while someone is signed in.
 */
export function App() {
  const { user, ready } = useSession();
  const [location] = useLocation();
  const search = useSearch();

  useEffect(() => {
    if (ready && user) live.start();
    else live.stop();
  }, [ready, user]);

  if (!ready) return <Loading label="Starting…" />;
  if (!user) {
    if (location === '/login') return <LoginPage />;
    const next = `${location}${search ? `?${search}` : ''}`;
    return (
      <Redirect to={`/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`} replace />
    );
  }
  return (
    <Layout>
      <Switch>
        <Route path="/" component={OverviewPage} />
        <Route path="/devices" component={DevicesPage} />
        <Route path="/devices/:id" component={DevicePage} />
        <Route path="/forwarding" component={ForwardingPage} />
        <Route path="/users" component={UsersPage} />
        <Route path="/login">
          <Redirect to={new URLSearchParams(search).get('next') ?? '/'} replace />
        </Route>
        <Route component={NotFoundPage} />
      </Switch>
    </Layout>
  );
}
