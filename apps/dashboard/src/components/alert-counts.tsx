import { ALERT_LEVELS, type AlertLevel } from '../api/types';

/** Open alerts as one badge per level that has any; "none" otherwise. */
export function AlertCounts({ counts }: { counts: Partial<Record<AlertLevel, number>> }) {
  const levels = ALERT_LEVELS.filter((level) => (counts[level] ?? 0) > 0);
  if (levels.length === 0) return <span className="muted small">none</span>;
  return (
    <span className="actions">
      {levels.map((level) => (
        <span key={level} className={`badge ${level}`} title={`${counts[level]} open ${level}`}>
          {counts[level]}
        </span>
      ))}
    </span>
  );
}
