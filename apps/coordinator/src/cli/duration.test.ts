import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['24h', 24 * 3_600_000],
    ['2h30m', 2.5 * 3_600_000],
    ['90s', 90_000],
    ['1d', 86_400_000],
    ['1h0m30s', 3_630_000],
    ['250ms', 250],
    [' 5m ', 300_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'h', '5x', '-5m', '1.5h', '5m 3s', '0s', '24hours', 'm5'])('refuses "%s" naming the expected form', (text) => {
    expect(() => parseDuration(text, '--ttl')).toThrow(/invalid --ttl .*e\.g\. 30m, 24h or 2h30m/);
  });

  it('refuses with the usage exit code', () => {
    try {
      parseDuration('soon');
      expect.unreachable();
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [9_000_000, '2h30m'],
    [86_400_000 + 1_000, '1d1s'],
    [500, '500ms'],
    [60_000, '1m'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
