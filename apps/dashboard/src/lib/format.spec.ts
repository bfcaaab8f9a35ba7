import { formatBytes, formatPercent, formatRate, timeAgo } from './format';

describe('dashboard units', () => {
  it('writes memory sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.00 GiB');
    expect(formatBytes(null)).toBe('—');
  });

  it('writes network rates in decimal units per second', () => {
    expect(formatRate(999)).toBe('999 B/s');
    expect(formatRate(1_500_000)).toBe('1.50 MB/s');
    expect(formatRate(125_000_000)).toBe('125 MB/s');
  });

  it('writes percentages with one decimal', () => {
    expect(formatPercent(42.345)).toBe('42.3 %');
    expect(formatPercent(undefined)).toBe('—');
  });

  it('says how long ago something happened', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(timeAgo('2026-01-01T11:59:55Z', now)).toBe('just now');
    expect(timeAgo('2026-01-01T11:58:00Z', now)).toBe('2 min ago');
    expect(timeAgo('2026-01-01T09:00:00Z', now)).toBe('3 h ago');
    expect(timeAgo('2025-12-27T12:00:00Z', now)).toBe('5 d ago');
    expect(timeAgo(null, now)).toBe('never');
  });
});
