import { useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { session } from '../api/session';

function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

export function LoginPage() {
  const [, navigate] = useLocation();
  const search = useSearch();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await session.signIn(field(form, 'username'), field(form, 'password'));
      const next = new URLSearchParams(search).get('next');
      // Only a path of this app, never another origin.
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', {
        replace: true,
      });
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
      setBusy(false);
    }
  };

  return (
    <div className="login" data-page="login" data-loaded="true">
      <form className="card login-card" onSubmit={(e) => void submit(e)}>
        <div className="brand">
          <img src="/favicon.svg" width="28" height="28" alt="" />
          <h1>Raqeem</h1>
        </div>
        <p className="muted">Sign in to watch your fleet.</p>
        <label>
          Username
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <div className="notice" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
