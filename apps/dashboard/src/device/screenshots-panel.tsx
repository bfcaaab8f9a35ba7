import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../api/client';
import type { Screenshot } from '../api/types';
import { ListState } from '../components/states';
import { TimeAgo } from '../components/time-ago';
import { useBlobUrl } from '../components/use-blob-url';
import { useLiveEvent } from '../live/use-live';
import { formatBytes, formatTime } from '../lib/format';
import { useResource } from '../lib/use-resource';

const GALLERY_SIZE = 24;

function Thumb({ base, shot, onOpen }: { base: string; shot: Screenshot; onOpen: () => void }) {
  const image = useBlobUrl(`${base}/${shot.id}/image`);
  return (
    <button
      type="button"
      className="thumb"
      onClick={onOpen}
      aria-label={`Screenshot of ${formatTime(shot.timestamp)}`}
    >
      {image.url ? <img src={image.url} alt="" /> : <div className="ph" />}
      <span className="caption">
        <TimeAgo at={shot.timestamp} />
        <span className="muted">
          {' '}
          · {shot.width}×{shot.height} · {formatBytes(shot.size_bytes)}
        </span>
      </span>
    </button>
  );
}

function Viewer({
  base,
  shots,
  index,
  onMove,
  onClose,
}: {
  base: string;
  shots: Screenshot[];
  index: number;
  onMove: (index: number) => void;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const shot = shots[index];
  const image = useBlobUrl(`${base}/${shot.id}/image`);
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);
  const key = (event: KeyboardEvent) => {
    if (event.key === 'ArrowLeft' && index < shots.length - 1) onMove(index + 1);
    if (event.key === 'ArrowRight' && index > 0) onMove(index - 1);
  };
  return (
    <dialog
      ref={dialog}
      className="dialog"
      onClose={onClose}
      onKeyDown={key}
      aria-label="Screenshot"
    >
      <div className="card-head">
        <strong>{formatTime(shot.timestamp)}</strong>
        <span className="muted small">
          {shot.width}×{shot.height} · {formatBytes(shot.size_bytes)}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="btn small"
          disabled={index >= shots.length - 1}
          onClick={() => onMove(index + 1)}
        >
          ← Older
        </button>
        <button
          type="button"
          className="btn small"
          disabled={index === 0}
          onClick={() => onMove(index - 1)}
        >
          Newer →
        </button>
        <button
          type="button"
          className="btn small"
          onClick={() => dialog.current?.close()}
          autoFocus
        >
          Close
        </button>
      </div>
      {image.url ? (
        <img
          src={image.url}
          alt={`Screenshot of ${formatTime(shot.timestamp)}`}
          width={shot.width}
          height={shot.height}
        />
      ) : (
        <div className="state">{image.error ?? 'Loading…'}</div>
      )}
    </dialog>
  );
}

/** The device's newest screenshots; a click opens the full-size viewer (arrow keys move). */
export function ScreenshotsPanel({ deviceid }: { deviceid: string }) {
  const base = `/devices/${encodeURIComponent(deviceid)}/screenshots`;
  const shots = useResource(
    (signal) => api<Screenshot[]>(`${base}?limit=${GALLERY_SIZE}`, { signal }),
    deviceid,
  );
  const [open, setOpen] = useState<number | null>(null);
  useLiveEvent('screenshots', shots.reload, deviceid);
  return (
    <div className="panel" data-panel="screenshots" data-loaded={shots.data ? 'true' : undefined}>
      <div className="card-head">
        <h2>Screenshots</h2>
      </div>
      <ListState {...shots} empty="No screenshots from this device yet.">
        {(list) => (
          <>
            <div className="gallery">
              {list.map((shot, i) => (
                <Thumb key={shot.id} base={base} shot={shot} onOpen={() => setOpen(i)} />
              ))}
            </div>
            {open !== null && list[open] && (
              <Viewer
                base={base}
                shots={list}
                index={open}
                onMove={setOpen}
                onClose={() => setOpen(null)}
              />
            )}
          </>
        )}
      </ListState>
    </div>
  );
}
