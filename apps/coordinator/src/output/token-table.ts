import { formatDuration } from '../cli/duration';
import type { TokenRecord } from '../state/token-store';
import { textTable } from './text-table';

/** The state of a token at now, in words. */
export function tokenStatus(record: TokenRecord, now: Date): string {
  if (record.usedAt) return `used by ${record.usedBy} at ${record.usedAt}`;
  const left = Date.parse(record.expiresAt) - now.getTime();
  return left <= 0 ? 'expired' : `valid for ${formatDuration(left)}`;
}

/** `kumi token list` as a table (ids only, never secrets). */
export function tokenTable(records: TokenRecord[], now: Date): string {
  if (records.length === 0) return 'no bootstrap tokens (create one with `kumi token create`)\n';
  return textTable(
    ['ID', 'HOST', 'EXPIRES', 'STATUS'],
    records.map((r) => [r.id, r.host ?? '(any)', r.expiresAt, tokenStatus(r, now)]),
  );
}
