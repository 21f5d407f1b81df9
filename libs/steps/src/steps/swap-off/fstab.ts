/** Prefix put before each swap line of /etc/fstab that swap.off turns off. */
export const SWAP_COMMENT_PREFIX = '# swap off for Kubernetes (kumi): ';

/** An uncommented swap entry of /etc/fstab. */
export interface FstabSwapEntry {
  /** The "what" field as written, e.g. "UUID=…" or "/swapfile". */
  what: string;
  /** Zero-based line index. */
  line: number;
}

/** Uncommented entries whose type (third field) is "swap". */
export function fstabSwapEntries(fstab: string): FstabSwapEntry[] {
  const entries: FstabSwapEntry[] = [];
  fstab.split('\n').forEach((text, line) => {
    const fields = fieldsOf(text);
    if (fields[2] === 'swap' && fields[0] !== undefined) entries.push({ what: decodeOctal(fields[0]), line });
  });
  return entries;
}

/**
 * The fstab with every uncommented swap line prefixed by SWAP_COMMENT_PREFIX; every other
 * byte (other lines, spacing, line ends, a missing final newline) stays as it was.
 */
export function commentSwapLines(fstab: string): string {
  const swapLines = new Set(fstabSwapEntries(fstab).map((entry) => entry.line));
  return fstab
    .split('\n')
    .map((text, line) => (swapLines.has(line) ? `${SWAP_COMMENT_PREFIX}${text}` : text))
    .join('\n');
}

function fieldsOf(line: string): string[] {
  const trimmed = line.trim();
  if (trimmed.length === 0 || trimmed.startsWith('#')) return [];
  return trimmed.split(/\s+/);
}

/** fstab and /proc/swaps write spaces and tabs in paths as octal escapes (\040). */
export function decodeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
