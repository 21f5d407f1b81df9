import { usageError } from './cli-error';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+)(ms|s|m|h|d)/y;

/**
 * Parses a Go-style duration such as "30m", "24h", "2h30m" or "90s" into milliseconds.
 * Units: ms, s, m, h, d. Throws a usage error naming the bad value and the expected form.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const input = text.trim();
  const fail = () =>
    usageError(`invalid ${what} "${text}": use a number with a unit, e.g. 30m, 24h or 2h30m (units: ms, s, m, h, d)`);
  if (input === '') throw fail();
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const match = PART.exec(input);
    if (!match) throw fail();
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  if (total <= 0 || !Number.isSafeInteger(total)) throw fail();
  return total;
}

/** Formats milliseconds as a compact duration, e.g. 9000000 → "2h30m". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  let rest = Math.round(ms / 1_000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('');
}
