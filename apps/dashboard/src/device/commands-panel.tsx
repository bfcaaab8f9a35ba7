import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { Command } from '../api/types';
import { ListState } from '../components/states';
import { TimeAgo } from '../components/time-ago';
import { useLiveEvent } from '../live/use-live';
import { useResource } from '../lib/use-resource';
import { useIsAdmin } from '../lib/use-session';

const FINISHED = new Set(['completed', 'failed', 'expired']);

function CommandRow({ command }: { command: Command }) {
  return (
    <li className="command-row" data-command={command.commandid} data-status={command.status}>
      <div className="command-head">
        <code>{command.command_text}</code>
        <span className={`badge ${command.status}`}>{command.status}</span>
        {command.exit_code !== null && (
          <span className="small muted" data-exit-code={command.exit_code}>
            exit code {command.exit_code}
          </span>
        )}
        <span className="spacer" />
        <span className="small muted">
          {command.issued_by} · <TimeAgo at={command.created_at} />
        </span>
      </div>
      {command.result && <pre className="command-result">{command.result}</pre>}
    </li>
  );
}

export function CommandsPanel({ deviceid }: { deviceid: string }) {
  const admin = useIsAdmin();
  const base = `/devices/${encodeURIComponent(deviceid)}/commands`;
  const commands = useResource((signal) => api<Command[]>(base, { signal }), deviceid);
  // What this Mentor's COMMAND_ALLOWLIST accepts, offered as suggestions; it still decides.
  const allowed = useResource(
    (signal) => api<{ commands: string[] }>('/commands/allowed', { signal }),
    'allowed',
  );
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const upsert = (command: Command) =>
    commands.setData((list) => {
      if (!list) return list;
      const found = list.some((c) => c.commandid === command.commandid);
      if (!found) return [command, ...list];
      return list.map((c) => (c.commandid === command.commandid ? { ...c, ...command } : c));
    });

  useLiveEvent<Command>(
    'command',
    (event) => {
      for (const record of event.records) {
        // The event leaves out the output; a finished command's result is fetched.
        const { result_bytes: _bytes, ...state } = record;
        upsert(state);
        if (FINISHED.has(record.status) && record.result_bytes) {
          void api<Command>(`${base}/${record.commandid}`).then(upsert, () => undefined);
        }
      }
    },
    deviceid,
  );

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      upsert(await api<Command>(base, { method: 'POST', body: { command_text: text.trim() } }));
      setText('');
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel" data-panel="commands" data-loaded={commands.data ? 'true' : undefined}>
      <div className="card-head">
        <h2>Command console</h2>
      </div>
      {admin && (
        <form className="toolbar command-form" onSubmit={(e) => void send(e)}>
          <label className="grow">
            <span className="visually-hidden">Command</span>
            <input
              name="command"
              list="allowed-commands"
              placeholder="Command, e.g. get_info"
              value={text}
              onChange={(e) => setText(e.target.value)}
              required
              autoComplete="off"
            />
          </label>
          <datalist id="allowed-commands">
            {(allowed.data?.commands ?? []).map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <button type="submit" className="btn primary" disabled={busy || !text.trim()}>
            Send
          </button>
        </form>
      )}
      {error && (
        <div className="notice" role="alert">
          {error}
        </div>
      )}
      <ListState {...commands} empty="No commands sent to this device yet.">
        {(list) => (
          <ul className="plain-list card flush">
            {list.map((command) => (
              <CommandRow key={command.commandid} command={command} />
            ))}
          </ul>
        )}
      </ListState>
    </div>
  );
}
