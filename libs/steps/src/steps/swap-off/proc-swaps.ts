import { decodeOctal } from './fstab';

/**
 * Swap areas in use, from the text of /proc/swaps (header line skipped). The kernel
 * writes space, tab, newline and backslash in paths as octal escapes (\040, \011, \012,
 * \134); they are decoded, so "/swap\040file" is the path "/swap file".
 */
export function activeSwapDevices(procSwaps: string): string[] {
  return procSwaps
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((field) => field.length > 0)
    .map(decodeOctal);
}
