import { useState } from 'react';
import { ListState } from '../components/states';
import { TimeAgo } from '../components/time-ago';
import type { Resource } from '../lib/use-resource';
import { DATA_TYPES } from '../../../../libs/contracts/src/constants';
import type { DeadLetter } from './forwarding-page';

// '' is "all types"; the rest are the forwarded kinds as the services name them.
const TYPES = ['', ...DATA_TYPES];

/** Dead letters with their reasons; an admin replays some, one type, or all of them. */
export function DeadLetters({
  letters,
  type,
  admin,
  onType,
  onReplay,
}: {
  letters: Resource<DeadLetter[]>;
  type: string;
  admin: boolean;
  onType: (type: string) => void;
  onReplay: (body: Record<string, unknown>, what: string) => Promise<void>;
}) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // Nothing listed (for the chosen type): nothing to replay.
  const none = (letters.data ?? []).length === 0;
  const types = [...new Set([...TYPES, type, ...(letters.data ?? []).map((l) => l.type)])];
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const replay = async (body: Record<string, unknown>, what: string) => {
    await onReplay(body, what);
    setSelected(new Set());
  };

  return (
    <div className="panel">
      <div className="card-head">
        <h2>Dead letters</h2>
        <span className="spacer" />
        <label>
          <span className="visually-hidden">Type</span>
          <select value={type} onChange={(e) => onType(e.target.value)}>
            {types.map((t) => (
              <option key={t} value={t}>
                {t || 'all types'}
              </option>
            ))}
          </select>
        </label>
        {admin && (
          <div className="actions">
            <button
              type="button"
              className="btn"
              disabled={selected.size === 0}
              onClick={() => void replay({ ids: [...selected] }, `${selected.size} selected`)}
            >
              Replay selected
            </button>
            {type && (
              <button
                type="button"
                className="btn"
                disabled={none}
                onClick={() => void replay({ type }, `every ${type} dead letter`)}
              >
                Replay all {type}
              </button>
            )}
            <button
              type="button"
              className="btn primary"
              disabled={none && !type}
              onClick={() => void replay({ all: true }, 'every dead letter')}
            >
              Replay all
            </button>
          </div>
        )}
      </div>
      <ListState
        {...letters}
        empty="No dead letters: everything was delivered or is still being retried."
      >
        {(list) => (
          <div className="card flush scroll">
            <table className="table">
              <thead>
                <tr>
                  {admin && <th aria-label="Select" />}
                  <th>Type</th>
                  <th>Reason</th>
                  <th className="num">Attempts</th>
                  <th>Dead since</th>
                  <th>Record</th>
                </tr>
              </thead>
              <tbody>
                {list.map((l) => (
                  <tr key={l.id}>
                    {admin && (
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select dead letter ${l.id}`}
                          checked={selected.has(l.id)}
                          onChange={() => toggle(l.id)}
                        />
                      </td>
                    )}
                    <td>
                      <span className="badge plain">{l.type}</span>
                    </td>
                    <td>{l.reason ?? '—'}</td>
                    <td className="num">{l.attempts}</td>
                    <td>
                      <TimeAgo at={l.dead_at} />
                    </td>
                    <td className="mono small">{l.record_id ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListState>
    </div>
  );
}
