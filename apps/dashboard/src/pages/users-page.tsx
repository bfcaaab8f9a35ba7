import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { User } from '../api/types';
import { ListState } from '../components/states';
import { formatTime } from '../lib/format';
import { useResource } from '../lib/use-resource';
import { useSession } from '../lib/use-session';

const ROLES = ['viewer', 'admin'] as const;

/** Mentor users, for admins: create, change role, delete. */
export function UsersPage() {
  const { user: me } = useSession();
  const users = useResource((signal) => api<User[]>('/users', { signal }), 'users');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  if (me?.role !== 'admin') {
    return (
      <section data-page="users" data-loaded="true">
        <h1>Users</h1>
        <p className="muted">Only admins manage users.</p>
      </section>
    );
  }

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    } finally {
      setBusy(false);
    }
  };

  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    void run(async () => {
      const created = await api<User>('/users', {
        method: 'POST',
        body: {
          username: data.get('new-username'),
          password: data.get('new-password'),
          role: data.get('role'),
        },
      });
      users.setData((list) => [...(list ?? []), created]);
      form.reset();
    });
  };

  const setRole = (username: string, role: string) =>
    run(async () => {
      const changed = await api<User>(`/users/${encodeURIComponent(username)}`, {
        method: 'PATCH',
        body: { role },
      });
      users.setData((list) =>
        list?.map((u) => (u.username === username ? { ...u, ...changed } : u)),
      );
    });

  const remove = (username: string) => {
    if (!window.confirm(`Delete the user ${username}? Their sessions end.`)) return;
    void run(async () => {
      await api<void>(`/users/${encodeURIComponent(username)}`, { method: 'DELETE' });
      users.setData((list) => list?.filter((u) => u.username !== username));
    });
  };

  return (
    <section data-page="users" data-loaded={users.data ? 'true' : undefined}>
      <div className="page-head">
        <h1>Users</h1>
      </div>
      <form className="card toolbar" onSubmit={create} aria-label="New user">
        <label>
          Username
          <input name="new-username" required pattern="[A-Za-z0-9._\-]{1,64}" autoComplete="off" />
        </label>
        <label>
          Password
          <input
            name="new-password"
            type="password"
            required
            minLength={12}
            maxLength={72}
            autoComplete="new-password"
          />
        </label>
        <label>
          Role
          <select name="role" defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn primary" disabled={busy}>
          Create user
        </button>
      </form>
      {error && (
        <div className="notice" role="alert">
          {error}
        </div>
      )}
      <ListState {...users} empty="No users.">
        {(list) => (
          <div className="card flush">
            <table className="table">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Role</th>
                  <th>Created</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <tr key={u.username} data-user={u.username}>
                    <td>
                      {u.username}
                      {u.username === me.username && <span className="muted small"> (you)</span>}
                    </td>
                    <td>
                      <select
                        aria-label={`Role of ${u.username}`}
                        value={u.role}
                        disabled={busy || u.username === me.username}
                        onChange={(e) => void setRole(u.username, e.target.value)}
                      >
                        {ROLES.map((r) => (
                          <option key={r}>{r}</option>
                        ))}
                      </select>
                    </td>
                    <td>{formatTime(u.created_at)}</td>
                    <td className="num">
                      <button
                        type="button"
                        className="btn small danger"
                        disabled={busy || u.username === me.username}
                        onClick={() => remove(u.username)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListState>
    </section>
  );
}
