import { formatTime, timeAgo } from '../lib/format';
import { useNow } from '../lib/use-now';

/** "2 min ago", with the exact local time on hover. */
export function TimeAgo({ at }: { at: string | null | undefined }) {
  const now = useNow();
  if (!at) return <span className="muted">never</span>;
  return (
    <time dateTime={at} title={formatTime(at)}>
      {timeAgo(at, now)}
    </time>
  );
}
