import { useState } from 'react';
import { api, query } from '../api/client';
import { ErrorState, Loading } from '../components/states';
import { TimeAgo } from '../components/time-ago';
import { formatDuration } from '../lib/format';
import { useQueryParams } from '../lib/use-query-param';
import { useResource } from '../lib/use-resource';
import { useIsAdmin } from '../lib/use-session';
import { DeadLetters } from './dead-letters';

export interface Backlog {
  enabled?: boolean;
  mentor_url?: string | null;
  state?: string | null;
  state_reason?: string | null;
  pending: number;
  oldest_pending_age_seconds: number | null;
  dead_letters: number;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error: string | null;
}

export interface DeadLetter {
  id: string;
  type: string;
  record_id: string | null;
  attempts: number;
  created_at: string;
  dead_at: string;
  reason: string | null;
}

const PAGE = 100;

/** Devices' forwarding to the Mentor, read through the Mentor: backlog and dead letters. */
export function ForwardingPage() {
  const admin = useIsAdmin();
  const [params, setParams] = useQueryParams();
  const type = params.get('type') ?? '';
  const [notice, setNotice] = useState<string>();
  const backlog = useResource(
    (signal) => api<Backlog>('/forwarding/backlog', { signal }),
    'backlog',
  );
  const letters = useResource(
    (signal) =>
      api<DeadLetter[]>(`/forwarding/dead-letters${query({ type, limit: PAGE })}`, { signal }),
    type,
  );
  const refresh = () => {
    backlog.reload();
    letters.reload();
  };

  const replay = async (body: Record<string, unknown>, what: string) => {
    if (!window.confirm(`Replay ${what}?`)) return;
    try {
      const { replayed } = await api<{ replayed: number }>('/forwarding/dead-letters/replay', {
        method: 'POST',
        body,
      });
      setNotice(`${replayed} dead letter${replayed === 1 ? '' : 's'} queued again.`);
      refresh();
    } catch (reason) {
      setNotice(reason instanceof Error ? reason.message : String(reason));
    }
  };

  const b = backlog.data;
  const loaded = backlog.data !== undefined || backlog.error !== undefined;
  return (
    <section data-page="forwarding" data-loaded={loaded ? 'true' : undefined}>
      <div className="page-head">
        <h1>Forwarding</h1>
        <span className="muted">Devices → Mentor hand-off</span>
        <span className="spacer" />
        <button type="button" className="btn" onClick={refresh}>
          Refresh
        </button>
      </div>
      {backlog.error && !b ? (
        <ErrorState error={backlog.error} onRetry={backlog.reload} />
      ) : !b ? (
        <Loading />
      ) : (
        <div className="grid stats">
          <div className="card stat">
            <div className="label">Pending</div>
            <div className="value">{b.pending.toLocaleString()}</div>
            {b.state && (
              <span className={`badge ${['ok', 'up'].includes(b.state) ? 'online' : 'warning'}`}>
                {b.state}
              </span>
            )}
          </div>
          <div className="card stat">
            <div className="label">Oldest pending</div>
            <div className="value">
              {b.oldest_pending_age_seconds === null
                ? '—'
                : formatDuration(b.oldest_pending_age_seconds)}
            </div>
          </div>
          <div className="card stat">
            <div className="label">Dead letters</div>
            <div className="value">{b.dead_letters.toLocaleString()}</div>
          </div>
          <div className="card stat">
            <div className="label">Last success</div>
            <div className="value small-value">
              <TimeAgo at={b.last_success_at} />
            </div>
          </div>
          <div className="card stat">
            <div className="label">Last error</div>
            <div className="value small-value">
              <TimeAgo at={b.last_error_at} />
            </div>
            {b.last_error && <div className="small muted">{b.last_error}</div>}
          </div>
        </div>
      )}
      {notice && (
        <div className="card small" role="status">
          {notice}
        </div>
      )}
      <DeadLetters
        letters={letters}
        type={type}
        admin={admin}
        onType={(t) => setParams({ type: t })}
        onReplay={replay}
      />
    </section>
  );
}
