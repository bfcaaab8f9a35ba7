import type { ReactNode } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state" role="status">
      <div className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <strong>Could not load this.</strong>
      <span>{error.message}</span>
      {onRetry && (
        <button type="button" className="btn small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state">{children}</div>;
}

/** Loading, error or empty in one place, for a list of things. */
export function ListState<T>({
  data,
  error,
  loading,
  reload,
  empty,
  children,
}: {
  data: T[] | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
  empty: ReactNode;
  children: (items: T[]) => ReactNode;
}) {
  if (error && !data) return <ErrorState error={error} onRetry={reload} />;
  if (!data) return loading ? <Loading /> : null;
  if (data.length === 0) return <Empty>{empty}</Empty>;
  return <>{children(data)}</>;
}
