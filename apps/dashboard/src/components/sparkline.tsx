/** A small trend line as SVG: cheap enough for a thousand rows, no chart instance each. */
export function Sparkline({
  values,
  max,
  label,
  className = 'spark',
}: {
  values: (number | null)[];
  /** The top of the scale (100 for percent); the series' own maximum without it. */
  max?: number;
  label: string;
  className?: string;
}) {
  const points = values.map((v, i) => [i, v] as const).filter(([, v]) => v !== null) as [
    number,
    number,
  ][];
  if (points.length < 2) return <svg className={className} aria-hidden="true" />;
  const top = max ?? Math.max(...points.map(([, v]) => v), 1);
  const width = 80;
  const height = 22;
  const step = width / Math.max(1, values.length - 1);
  const d = points
    .map(
      ([i, v], n) =>
        `${n === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${(height - 1 - (Math.min(v, top) / top) * (height - 2)).toFixed(1)}`,
    )
    .join('');
  return (
    <svg className={className} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
