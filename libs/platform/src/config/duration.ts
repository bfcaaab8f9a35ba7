const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `10`, `2.5s`, `500ms`, `2m`, `72h` or `7d` into milliseconds.
 * A bare number is read in `defaultUnit` (seconds unless said otherwise), as the reference's
 * settings were plain seconds. Returns NaN when the text is not a duration.
 */
export function parseDuration(text: string, defaultUnit: keyof typeof UNITS = 's'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) return Number.NaN;
  const unit = (match[2] ?? defaultUnit).toLowerCase();
  return Math.round(Number(match[1]) * UNITS[unit]);
}
